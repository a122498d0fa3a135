import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The services the chart deploys: the keys of `services` in its values.yaml. */
export function chartServices(chartDir: string): string[] {
  const file = path.join(chartDir, 'values.yaml');
  let values: unknown;
  try {
    values = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`chart: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const services = (values as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) {
    throw new Error(`chart: ${file} has no services map`);
  }
  return Object.keys(services);
}

/** Replaces the values of Secrets in a rendered manifest so diffs and comments never show them. */
export function redactSecrets(manifest: string): string {
  return manifest
    .split(/^---$/m)
    .map((doc) => {
      if (!/^kind:\s*Secret\s*$/m.test(doc)) return doc;
      return doc.replace(
        /^((?:data|stringData):\s*\n)((?:[ \t]+.*\n?)*)/gm,
        (_all, head: string, body: string) =>
          head + body.replace(/^([ \t]+[^:\s]+:)\s.*$/gm, '$1 (redacted)'),
      );
    })
    .join('---');
}
