// values.yaml, values.schema.json and the templates agree: every value a template reads is
// declared in the schema, and every key values.yaml sets is read by a template (no dead keys).
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { chartDir, services, type Json } from './render';

const schema = JSON.parse(
  fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'),
) as Json;
const defaults = parseYaml(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Json;

function templateFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? templateFiles(full) : [full];
  });
}
const templates = templateFiles(path.join(chartDir, 'templates'))
  .map((file) => fs.readFileSync(file, 'utf8'))
  .join('\n');

// Template variables that stand for a part of the values (see the `:=` lines in templates/).
const aliases: Record<string, string[]> = {
  '.Values': [''],
  $values: services.map((s) => `services.${s}`),
  $web: ['services.web'],
  $m: ['mongodb'],
  $np: ['networkPolicy'],
  $ing: ['ingress'],
  $image: [...services.map((s) => `services.${s}.image`), 'mongodb.image'],
};
// Parts that templates only index into or hand to a helper: reading them covers no key.
const containers = new Set([
  '',
  'services',
  'ingress',
  'mongodb',
  'networkPolicy',
  'mongodb.image',
  ...services.flatMap((s) => [`services.${s}`, `services.${s}.image`]),
]);

function referencedPaths(): string[] {
  const found = new Set<string>();
  for (const match of templates.matchAll(
    /(\.Values|\$values|\$web|\$m|\$np|\$ing|\$image)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g,
  )) {
    for (const base of aliases[match[1]!]!) {
      found.add([base, match[2]!.slice(1)].filter(Boolean).join('.'));
    }
  }
  return [...found].sort();
}

function resolve(node: Json): Json {
  while (node && node.$ref) node = schema.$defs[node.$ref.replace('#/$defs/', '')];
  return node;
}

/** The schema node of a values path, or undefined when the schema does not declare it. */
function schemaAt(valuesPath: string): Json {
  let node = resolve(schema);
  for (const key of valuesPath.split('.').filter(Boolean)) {
    if (node?.properties?.[key]) node = resolve(node.properties[key]);
    else if (node && typeof node.additionalProperties === 'object')
      node = resolve(node.additionalProperties);
    else return undefined;
  }
  return node;
}

function leafPaths(value: Json, prefix = ''): string[] {
  const node = schemaAt(prefix);
  // Free-form maps (env, annotations, labels) end the walk: their keys are data.
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !node?.properties)
    return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe('values, schema and templates agree', () => {
  const references = referencedPaths();

  it('finds the template references it checks', () => {
    expect(references).toEqual(
      expect.arrayContaining([
        'services.web.replicas',
        'mongodb.auth.existingSecret',
        'shutdown.drainMs',
        'global.imagePullSecrets',
      ]),
    );
  });

  it('every value a template reads is declared in values.schema.json', () => {
    const undeclared = references.filter((ref) => schemaAt(ref) === undefined);
    expect(undeclared).toEqual([]);
  });

  it('every key values.yaml sets is read by a template', () => {
    const covering = references.filter((ref) => !containers.has(ref));
    const unread = leafPaths(defaults).filter(
      (leaf) => !covering.some((ref) => leaf === ref || leaf.startsWith(`${ref}.`)),
    );
    expect(unread).toEqual([]);
  });

  it('every object in the schema rejects unknown keys', () => {
    const open: string[] = [];
    const visit = (node: Json, where: string) => {
      if (!node || typeof node !== 'object') return;
      if (node.properties && node.additionalProperties !== false) open.push(where);
      for (const [key, child] of Object.entries(node)) {
        // anyOf branches only add constraints to keys their parent object already declares.
        if (key !== 'anyOf') visit(child, `${where}/${key}`);
      }
    };
    visit(schema, '#');
    expect(open).toEqual([]);
  });
});
