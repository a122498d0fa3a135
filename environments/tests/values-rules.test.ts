// environments/schema/values-rules.schema.json: the rules on an environment's Helm overrides
// that depend on which environment it is, checked on the shipped values files and on broken
// copies, each refused naming the field.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { PROMOTION_ORDER, formatSchemaErrors } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';

const schema = JSON.parse(
  fs.readFileSync(
    path.join(repoRoot, 'environments', 'schema', 'values-rules.schema.json'),
    'utf8',
  ),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function errorsFor(environment: string, values: unknown): string[] {
  const file = `environments/${environment}/values.yaml`;
  return validate({ environment, values }) ? [] : formatSchemaErrors(file, validate.errors);
}

const shipped = (environment: string) =>
  YAML.parse(
    fs.readFileSync(path.join(repoRoot, 'environments', environment, 'values.yaml'), 'utf8'),
  ) as Record<string, unknown>;

describe('environment rules on values.yaml', () => {
  it.each(PROMOTION_ORDER)('%s: the shipped values follow them', (environment) => {
    expect(errorsFor(environment, shipped(environment))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an Ingress',
      { ingress: { enabled: true, host: 'movies.example.org' } },
      'environments/prod/values.yaml: /values/ingress/enabled must be equal to constant',
    ],
    [
      'network policies off',
      { networkPolicy: { enabled: false } },
      'environments/prod/values.yaml: /values/networkPolicy/enabled must be equal to constant',
    ],
    [
      'a NodePort',
      { publicService: { type: 'NodePort' } },
      'environments/prod/values.yaml: /values/publicService/type must be equal to constant',
    ],
  ])('prod refuses %s, naming the field', (_what, change, message) => {
    const values = { ...shipped('prod'), ...change };
    expect(errorsFor('prod', values)).toEqual([message]);
    // The same values are fine for dev, where an Ingress is a way to test the chart.
    expect(errorsFor('dev', values)).toEqual([]);
  });
});
