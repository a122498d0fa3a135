jest.setTimeout(120_000);

import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { checkWiring, loadTerraformDir } from './config';
import { loadEnvironments } from '@movies/actions-lib';
import { terraformVariables } from '@movies/action-terraform/config';
import { readTerraformOutputs } from '@movies/action-kops/terraformOutputs';
import { repoRoot } from '@movies/testing';
import { ALL_DIRS, MODULES, ROOTS, copyTerraformTree, replaceOnce, terraformDir } from './layout';

const ENVIRONMENT_VARIABLES = [
  'environment',
  'aws_account_id',
  'region',
  'vpc_cidr',
  'az_count',
  'nat_gateway_mode',
  'cluster_name',
  'enable_flow_logs',
  'create_documentdb',
];
const ENVIRONMENT_OUTPUTS = [
  'vpc_id',
  'vpc_cidr',
  'azs',
  'public_subnet_ids',
  'private_subnet_ids',
  'nat_gateway_ids',
  'kops_state_store',
  'cluster_name',
  'region',
  'documentdb_secret_arn',
  'documentdb_endpoint',
  'documentdb_client_security_group_id',
  'kops_permissions_boundary_arn',
  'ebs_kms_key_arn',
  'app_secret_names',
];
const GLOBAL_VARIABLES = ['aws_account_id', 'region', 'github_repository', 'environments'];
const GLOBAL_OUTPUTS = [
  'ecr_repository_urls',
  'ecr_registry',
  'plan_role_arns',
  'apply_role_arns',
  'oidc_subject_claims',
  'image_push_role_arn',
];

describe('wiring between roots and modules', () => {
  it.each(ROOTS)(
    '%s: module arguments, required variables and references are consistent',
    async (root) => {
      const issues = await checkWiring(terraformDir(root));
      expect(
        issues.map((issue) => `${path.relative(terraformDir('.'), issue.dir)}: ${issue.message}`),
      ).toEqual([]);
    },
  );

  it('every module is used by a root or by another module', async () => {
    const used = new Set<string>();
    for (const dir of ALL_DIRS) {
      for (const call of (await loadTerraformDir(terraformDir(dir))).moduleCalls.values()) {
        used.add(path.basename(call.source));
      }
    }
    expect([...MODULES].filter((name) => !used.has(name))).toEqual([]);
  });

  it.each(ALL_DIRS)(
    '%s: has the standard files and pins Terraform and the AWS provider',
    async (dir) => {
      for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) {
        expect(fs.existsSync(path.join(terraformDir(dir), file))).toBe(true);
      }
      const config = await loadTerraformDir(terraformDir(dir));
      expect(config.requiredVersion).toBe('>= 1.10.0, < 2.0.0');
      const aws = config.requiredProviders.aws;
      expect(aws?.source).toBe('hashicorp/aws');
      // Roots pin the provider to a minor-compatible range; modules state the range they work with.
      expect(aws?.version).toBe(dir.startsWith('modules/') ? '>= 6.14, < 7.0' : '~> 6.14');
    },
  );
});

describe('contract with actions/terraform and the workflows', () => {
  it('terraform/environment declares the contract variables and outputs', async () => {
    const config = await loadTerraformDir(terraformDir('environment'));
    expect(ENVIRONMENT_VARIABLES.filter((name) => !config.variables.has(name))).toEqual([]);
    expect(ENVIRONMENT_OUTPUTS.filter((name) => !config.outputs.has(name))).toEqual([]);
    // Generated tfvars carry only the contract variables: anything else must have a default.
    const extraRequired = [...config.variables.values()].filter(
      (variable) => !ENVIRONMENT_VARIABLES.includes(variable.name) && !variable.hasDefault,
    );
    expect(extraRequired.map((variable) => variable.name)).toEqual([]);
  });

  it.each(['dev', 'staging', 'prod'])(
    "every variable actions/terraform writes from %s's env.yaml is declared by terraform/environment",
    async (name) => {
      const config = await loadTerraformDir(terraformDir('environment'));
      const env = loadEnvironments(repoRoot).find((e) => e.name === name)!.env;
      expect(Object.keys(terraformVariables(env)).filter((v) => !config.variables.has(v))).toEqual(
        [],
      );
    },
  );

  it('terraform/environment outputs everything the kops action reads', async () => {
    const config = await loadTerraformDir(terraformDir('environment'));
    const file = path.join(repoRoot, 'actions/kops/src/__fixtures__/terraform-outputs/prod.json');
    const fixture = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    readTerraformOutputs(file); // the fixture is what the action accepts
    expect(Object.keys(fixture).filter((name) => !config.outputs.has(name))).toEqual([]);
  });

  it('terraform/global declares the contract variables and outputs', async () => {
    const config = await loadTerraformDir(terraformDir('global'));
    expect(GLOBAL_VARIABLES.filter((name) => !config.variables.has(name))).toEqual([]);
    expect(GLOBAL_OUTPUTS.filter((name) => !config.outputs.has(name))).toEqual([]);
    const extraRequired = [...config.variables.values()].filter(
      (variable) => !GLOBAL_VARIABLES.includes(variable.name) && !variable.hasDefault,
    );
    expect(extraRequired.map((variable) => variable.name)).toEqual([]);
  });

  it.each(['environment', 'global'])(
    '%s: backend is an empty (partial) s3 backend',
    async (root) => {
      const config = await loadTerraformDir(terraformDir(root));
      expect(config.backends).toEqual([{ type: 's3', config: {} }]);
    },
  );

  it('bootstrap keeps local state (it creates the state bucket)', async () => {
    expect((await loadTerraformDir(terraformDir('bootstrap'))).backends).toEqual([]);
  });

  it.each([
    ['environment', 'environments/dev/terraform.tfstate'],
    ['global', 'global/terraform.tfstate'],
  ])('%s README documents a backend.hcl whose key is %s', async (root, key) => {
    const readme = fs.readFileSync(terraformDir(`${root}/README.md`), 'utf8');
    const block = /```hcl\n# backend\.hcl\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const parsed = (await parse('backend.hcl', block![1]!)) as Record<string, unknown>;
    expect(parsed).toMatchObject({ key, use_lockfile: true, encrypt: true });
    expect(Object.keys(parsed).sort()).toEqual([
      'bucket',
      'encrypt',
      'key',
      'region',
      'use_lockfile',
    ]);
  });

  it.each(ROOTS)('%s: provider refuses other accounts and sets the default tags', async (root) => {
    const text = fs.readFileSync(terraformDir(`${root}/providers.tf`), 'utf8');
    const parsed = (await parse('providers.tf', text)) as {
      provider: { aws: Record<string, unknown>[] };
    };
    const aws = parsed.provider.aws[0]!;
    expect(aws.allowed_account_ids).toEqual(['${var.aws_account_id}']);
    expect(aws.region).toBe('${var.region}');
    const tags = (aws.default_tags as { tags: Record<string, string> }[])[0]!.tags;
    expect(tags).toMatchObject({ project: 'movies', 'managed-by': 'terraform' });
    expect(Object.keys(tags)).toContain('environment');
  });

  it('no environment name is hard-coded in the environment root', () => {
    const dir = terraformDir('environment');
    for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.tf'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      expect({ file, match: /["/-](dev|staging|prod)["/.-]/.exec(text)?.[0] ?? null }).toEqual({
        file,
        match: null,
      });
    }
  });
});

describe('the wiring check catches broken configurations', () => {
  let tree: ReturnType<typeof copyTerraformTree>;
  beforeEach(() => {
    tree = copyTerraformTree();
  });
  afterEach(() => tree.remove());

  async function issuesOf(root: string): Promise<string[]> {
    return (await checkWiring(path.join(tree.root, root))).map((issue) => issue.message);
  }

  it('an unchanged copy has no issues', async () => {
    expect(await issuesOf('environment')).toEqual([]);
  });

  it('reports a misspelled module argument and the required variable it leaves unset', async () => {
    replaceOnce(
      path.join(tree.root, 'environment/main.tf'),
      'vpc_cidr                     = var.vpc_cidr',
      'vpc_cdir = var.vpc_cidr',
    );
    const issues = await issuesOf('environment');
    expect(issues).toContain(
      'module "network" passes "vpc_cdir", which ../modules/network does not declare as a variable',
    );
    expect(issues).toContain(
      'module "network" does not pass required variable "vpc_cidr" of ../modules/network',
    );
  });

  it('reports a reference to a module output that does not exist', async () => {
    replaceOnce(
      path.join(tree.root, 'modules/network/outputs.tf'),
      'output "nat_gateway_ids" {',
      'output "nat_ids" {',
    );
    expect(await issuesOf('environment')).toContain(
      'module.network.nat_gateway_ids: ../modules/network has no output "nat_gateway_ids"',
    );
  });

  it('reports an output of a counted module that does not exist', async () => {
    replaceOnce(
      path.join(tree.root, 'modules/documentdb/outputs.tf'),
      'output "secret_arn" {',
      'output "master_secret_arn" {',
    );
    expect(await issuesOf('environment')).toContain(
      'module.documentdb.secret_arn: ../modules/documentdb has no output "secret_arn"',
    );
  });

  it('reports an undeclared variable, an untyped one and an undocumented output', async () => {
    replaceOnce(
      path.join(tree.root, 'global/main.tf'),
      'services          = var.services',
      'services          = var.service_names',
    );
    replaceOnce(
      path.join(tree.root, 'modules/ecr/variables.tf'),
      '  type        = list(string)\n  description = "Services that get a repository."',
      '  description = "Services that get a repository."',
    );
    replaceOnce(
      path.join(tree.root, 'global/outputs.tf'),
      '  description = "ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)."\n',
      '',
    );
    const issues = await issuesOf('global');
    expect(issues).toContain(
      'var.service_names is referenced but no variable "service_names" is declared',
    );
    expect(issues).toContain('variable "services" has no type');
    expect(issues).toContain('output "ecr_registry" has no description');
  });
});
