jest.setTimeout(120_000);

import fs from 'node:fs';
import path from 'node:path';
import { loadTerraformDir } from './config';
import { UnsupportedExpression, acceptsValue, evaluate } from './expression';
import { copyTerraformTree, replaceOnce, terraformDir } from './layout';

async function conditionsOf(dir: string, variable: string): Promise<string[]> {
  const config = await loadTerraformDir(dir);
  const declared = config.variables.get(variable);
  if (!declared) throw new Error(`${dir}: no variable "${variable}"`);
  return declared.validations.map((validation) => validation.condition);
}

describe('expression evaluator', () => {
  it('follows operator precedence and short-circuits', () => {
    expect(evaluate('1 + 2 * 3 == 7 && !false', {})).toBe(true);
    expect(evaluate('var.x >= 1 && var.x <= 5', { x: 6 })).toBe(false);
    expect(evaluate('var.x == null || var.x > 2', { x: null })).toBe(true);
    expect(evaluate('var.x > 2 ? "big" : "small"', { x: 1 })).toBe('small');
  });

  it('evaluates the functions validations use', () => {
    expect(evaluate('can(regex("^[0-9]{12}$", var.id))', { id: '012345678901' })).toBe(true);
    expect(evaluate('can(regex("^[0-9]{12}$", var.id))', { id: '12345' })).toBe(false);
    expect(evaluate('cidrhost("10.10.0.0/16", 5)', {})).toBe('10.10.0.5');
    expect(evaluate('can(cidrhost("10.300.0.0/16", 0))', {})).toBe(false);
    expect(evaluate('contains(["single", "per-az"], "per-az")', {})).toBe(true);
    expect(evaluate('length(distinct(["a", "b", "a"]))', {})).toBe(2);
    expect(evaluate('floor(2.5) == 2.5', {})).toBe(false);
  });

  it('interpolates variables into strings and refuses other templates', () => {
    expect(evaluate('startswith(var.c, "${var.e}.")', { c: 'dev.a.b', e: 'dev' })).toBe(true);
    expect(evaluate('startswith(var.c, "${var.e}.")', { c: 'devx.a.b', e: 'dev' })).toBe(false);
    expect(() => evaluate('"${local.x}"', {})).toThrow(UnsupportedExpression);
  });

  it('unescapes HCL strings the way Terraform does', () => {
    expect(evaluate('can(regex("^a\\\\.b$", "a.b"))', {})).toBe(true);
    expect(evaluate('can(regex("^a\\\\.b$", "axb"))', {})).toBe(false);
  });

  it('refuses what it cannot evaluate instead of guessing', () => {
    expect(() => evaluate('alltrue([for x in var.l : x])', { l: [] })).toThrow(
      UnsupportedExpression,
    );
    expect(() => evaluate('timestamp()', {})).toThrow(UnsupportedExpression);
    expect(() => evaluate('var.missing > 1', {})).toThrow(UnsupportedExpression);
  });
});

// Values of the other variables, for validations that refer to them (cluster_name → environment).
const CONTEXT = { environment: 'dev' };

// [directory, variable, accepted values, rejected values]
const CASES: [string, string, unknown[], unknown[]][] = [
  ['environment', 'az_count', [1, 2, 3, 4, 5], [0, 6, -1, 2.5]],
  ['modules/network', 'az_count', [1, 5], [0, 6]],
  ['environment', 'nat_gateway_mode', ['single', 'per-az'], ['multi', 'Single', '']],
  ['modules/network', 'nat_gateway_mode', ['single', 'per-az'], ['per_az']],
  [
    'environment',
    'aws_account_id',
    ['111111111111', '012345678901'],
    ['11111111111', '1111111111111', 'abcdefghijkl', ''],
  ],
  ['global', 'aws_account_id', ['222222222222'], ['22222222222x']],
  ['bootstrap', 'aws_account_id', ['333333333333'], ['3333']],
  [
    'environment',
    'region',
    ['eu-west-1', 'us-east-2', 'ap-southeast-3', 'us-gov-west-1'],
    ['eu-west', 'EU-WEST-1', 'euwest1', 'eu-west-1a'],
  ],
  ['global', 'region', ['eu-central-1'], ['mars-1']],
  [
    'environment',
    'vpc_cidr',
    ['10.10.0.0/16', '172.16.0.0/20', '10.0.0.0/18'],
    ['10.10.0.0/8', '10.10.0.0/24', '10.300.0.0/16', 'not-a-cidr', '10.10.0.0'],
  ],
  ['modules/network', 'vpc_cidr', ['10.20.0.0/16'], ['10.20.0.0/21']],
  [
    'environment',
    'environment',
    ['dev', 'staging', 'prod', 'qa-2'],
    ['Dev', 'd', 'prod-', '1dev', 'a-very-long-environment'],
  ],
  [
    'environment',
    'cluster_name',
    ['dev.movies.k8s.local', 'dev.example.com'],
    [
      'nodots',
      'Dev.movies.local',
      'dev..local',
      '-dev.local',
      'prod.movies.k8s.local',
      'devx.movies.k8s.local',
    ],
  ],
  [
    'global',
    'github_repository',
    ['octo-org/movies', 'me/my.repo_1'],
    ['movies', 'octo-org/', '/movies', 'a/b/c'],
  ],
  ['modules/ecr', 'tagged_images_to_keep', [10, 50, 1000], [9, 1001]],
  [
    'modules/state-store',
    'bucket_name',
    ['movies-tfstate-111111111111'],
    ['Movies', 'ab', 'a--b', '-abc', 'abc-'],
  ],
];

describe('variable validations accept and reject what they should', () => {
  it.each(CASES)('%s var.%s', async (dir, variable, accepted, rejected) => {
    const conditions = await conditionsOf(terraformDir(dir), variable);
    expect(conditions.length).toBeGreaterThan(0);
    const verdict = (value: unknown) => acceptsValue(conditions, variable, value as never, CONTEXT);
    expect(accepted.filter((value) => !verdict(value))).toEqual([]);
    expect(rejected.filter((value) => verdict(value))).toEqual([]);
  });

  it('catches a widened az_count bound', async () => {
    const tree = copyTerraformTree();
    try {
      const file = path.join(tree.root, 'environment/variables.tf');
      replaceOnce(file, 'var.az_count <= 5', 'var.az_count <= 6');
      const conditions = await conditionsOf(path.join(tree.root, 'environment'), 'az_count');
      expect(acceptsValue(conditions, 'az_count', 6)).toBe(true);
      expect(fs.readFileSync(file, 'utf8')).toContain('<= 6');
    } finally {
      tree.remove();
    }
  });
});
