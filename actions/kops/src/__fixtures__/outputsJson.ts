import type { EnvConfig } from '@movies/actions-lib';

const AZ_LETTERS = ['a', 'b', 'c', 'd', 'e'];

/**
 * What `terraform output -json` prints for terraform/environment applied with this env.yaml:
 * subnets in every AZ of the region slice, ids in AWS' format, the state store bucket.
 */
export function terraformOutputsJson(env: EnvConfig, accountSuffix = env.aws.account_id): Record<string, { value: unknown; type: unknown; sensitive: boolean }> {
  const azs = AZ_LETTERS.slice(0, env.network.az_count).map((letter) => `${env.aws.region}${letter}`);
  const hex = (kind: number, i: number) => `0${kind}${env.name.length}${i}`.padEnd(17, 'f');
  const output = (value: unknown, type: unknown = 'string') => ({ value, type, sensitive: false });
  return {
    vpc_id: output(`vpc-${hex(1, 0)}`),
    vpc_cidr: output(env.network.vpc_cidr),
    azs: output(azs, ['list', 'string']),
    private_subnet_ids: output(Object.fromEntries(azs.map((az, i) => [az, `subnet-${hex(2, i)}`])), ['map', 'string']),
    public_subnet_ids: output(Object.fromEntries(azs.map((az, i) => [az, `subnet-${hex(3, i)}`])), ['map', 'string']),
    nat_gateway_ids: output(
      (env.network.nat_gateway_mode === 'per-az' ? azs : azs.slice(0, 1)).map((_az, i) => `nat-${hex(4, i)}`),
      ['list', 'string'],
    ),
    kops_state_store: output(`s3://movies-kops-state-${accountSuffix}`),
    cluster_name: output(env.cluster.name),
    region: output(env.aws.region),
    documentdb_secret_arn: output(null, 'string'),
  };
}
