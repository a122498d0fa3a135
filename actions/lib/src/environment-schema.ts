import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isVpcCidr } from './cidr';

export const SCHEMA_DIR = path.join('environments', 'schema');

export interface EnvironmentValidators {
  env: ValidateFunction;
  release: ValidateFunction;
}

const cache = new Map<string, EnvironmentValidators>();

/** Compiles the JSON Schemas shipped in `<repoRoot>/environments/schema/` (once per root). */
export function environmentValidators(repoRoot: string): EnvironmentValidators {
  const cached = cache.get(repoRoot);
  if (cached) return cached;
  // useDefaults fills optional fields (t3.medium instance types, spot off, ...) so code reading
  // a loaded environment never guesses a default of its own.
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, verbose: true });
  addFormats(ajv);
  ajv.addFormat('vpc-cidr', { type: 'string', validate: isVpcCidr });
  const read = (file: string): object => {
    const full = path.join(repoRoot, SCHEMA_DIR, file);
    try {
      return JSON.parse(fs.readFileSync(full, 'utf8')) as object;
    } catch (error) {
      throw new Error(
        `${path.join(SCHEMA_DIR, file)}: cannot load the schema: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const validators = {
    env: ajv.compile(read('env.schema.json')),
    release: ajv.compile(read('release.schema.json')),
  };
  cache.set(repoRoot, validators);
  return validators;
}

function describeRule(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case 'pattern':
    case 'format':
      return description ? `must be ${description}` : (error.message ?? error.keyword);
    case 'enum':
      return `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be of type ${(error.params as { type: string | string[] }).type.toString().replace(',', ' or ')}`;
    case 'contains': {
      const wanted = (error.schema as { description?: string } | undefined)?.description;
      return wanted ? `must contain ${wanted}` : (error.message ?? error.keyword);
    }
    default:
      return error.message ?? error.keyword;
  }
}

/** One line per schema error: `<file>: <field path> <rule>`, naming the field itself for missing and unknown keys. */
export function formatSchemaErrors(
  file: string,
  errors: ErrorObject[] | null | undefined,
): string[] {
  // An if/then rule reports its failing "then" part itself, and a "contains" rule its own
  // summary: the "if" line and each item that did not match add nothing.
  return (errors ?? [])
    .filter((error) => error.keyword !== 'if' && !error.schemaPath.includes('/contains/'))
    .map((error) => {
      const at = error.instancePath;
      if (error.keyword === 'required') {
        return `${file}: ${at}/${(error.params as { missingProperty: string }).missingProperty} is required`;
      }
      if (error.keyword === 'additionalProperties') {
        return `${file}: ${at}/${(error.params as { additionalProperty: string }).additionalProperty} is not an allowed key (unknown keys are errors)`;
      }
      return `${file}: ${at || '/'} ${describeRule(error)}`;
    });
}
