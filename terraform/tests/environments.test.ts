jest.setTimeout(60_000);

// The real environments, through the real generator of actions/terraform: the tfvars and
// backend.hcl it writes for each environments/<env>/env.yaml must satisfy terraform/environment
// (every required variable set, nothing unknown, every validation passing, an s3 backend whose
// key contains the environment).
import { parse } from '@cdktf/hcl2json';
import { backendConfig, terraformVariables } from '../../actions/terraform/src/config';
import { loadEnvironments } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import { loadTerraformDir } from './config';
import { acceptsValue } from './expression';
import { terraformDir } from './layout';

const environments = loadEnvironments(repoRoot);

describe('generated inputs for the real environments', () => {
  it('there are environments to check', () => {
    expect(environments.map((loaded) => loaded.name)).toEqual(
      expect.arrayContaining(['dev', 'staging', 'prod']),
    );
  });

  it.each(environments.map((loaded) => [loaded.name, loaded] as const))(
    '%s: tfvars set every required variable, nothing unknown, and pass every validation',
    async (_name, loaded) => {
      const config = await loadTerraformDir(terraformDir('environment'));
      const tfvars = terraformVariables(loaded.env) as unknown as Record<string, never>;
      const unknown = Object.keys(tfvars).filter((name) => !config.variables.has(name));
      const missing = [...config.variables.values()].filter(
        (variable) => !variable.hasDefault && !(variable.name in tfvars),
      );
      expect({ unknown, missing: missing.map((variable) => variable.name) }).toEqual({
        unknown: [],
        missing: [],
      });
      const rejected = Object.entries(tfvars).filter(([name, value]) => {
        const conditions = config.variables
          .get(name)!
          .validations.map((validation) => validation.condition);
        return !acceptsValue(conditions, name, value, tfvars);
      });
      expect(rejected).toEqual([]);
      if (tfvars.create_documentdb) expect(tfvars.az_count).toBeGreaterThanOrEqual(2);
    },
  );

  it.each(environments.map((loaded) => [loaded.name, loaded] as const))(
    '%s: backend.hcl is a valid partial s3 configuration keyed by the environment',
    async (name, loaded) => {
      const backend = (await parse('backend.hcl', backendConfig(loaded.env))) as Record<
        string,
        unknown
      >;
      expect(backend).toEqual({
        bucket: loaded.env.terraform.state_bucket,
        key: `environments/${name}/terraform.tfstate`,
        region: loaded.env.aws.region,
        use_lockfile: true,
        encrypt: true,
        // The state bucket's customer managed key (alias = bucket name, modules/state-store):
        // `encrypt` alone would write the state with SSE-S3.
        kms_key_id: `arn:aws:kms:${loaded.env.aws.region}:${loaded.env.aws.account_id}:alias/${loaded.env.terraform.state_bucket}`,
      });
    },
  );

  it.each(environments.map((loaded) => [loaded.name, loaded] as const))(
    '%s: the cluster name starts with "<env>." (the apply role\'s kOps permissions rely on it)',
    (name, loaded) => {
      expect(loaded.env.cluster.name.startsWith(`${name}.`)).toBe(true);
    },
  );

  it.each(environments.map((loaded) => [loaded.name, loaded] as const))(
    '%s: derived bucket names are valid S3 names',
    async (name, loaded) => {
      const stateStore = await loadTerraformDir(terraformDir('modules/state-store'));
      const conditions = stateStore.variables
        .get('bucket_name')!
        .validations.map((validation) => validation.condition);
      const kopsBucket = `movies-kops-state-${loaded.env.aws.account_id}-${name}`;
      expect(acceptsValue(conditions, 'bucket_name', kopsBucket)).toBe(true);
      expect(acceptsValue(conditions, 'bucket_name', loaded.env.terraform.state_bucket)).toBe(true);
    },
  );
});
