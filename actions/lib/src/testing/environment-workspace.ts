import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { EnvConfig, ReleaseConfig } from '../environment-types';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

export interface WorkspaceEnvironment {
  env: EnvConfig;
  values?: Record<string, unknown>;
  release?: ReleaseConfig;
}

export interface EnvironmentWorkspace {
  /** A repository-shaped folder: environments/ (with the real schemas) and, if asked, chart/. */
  root: string;
  write(name: string, environment: WorkspaceEnvironment): void;
  remove(): void;
}

export const ACCOUNT_ID = '111111111111';

/** A schema-valid env.yaml for `name`, in the shape of the shipped ones; override what a test needs. */
export function environmentConfig(name: string, overrides: Partial<EnvConfig> = {}): EnvConfig {
  const index = Math.max(0, ['dev', 'staging', 'prod'].indexOf(name));
  const ha = name === 'prod';
  return {
    name,
    // One AWS account holds every environment.
    aws: { account_id: ACCOUNT_ID, region: 'eu-west-1' },
    terraform: { state_bucket: `movies-tfstate-${ACCOUNT_ID}` },
    network: {
      vpc_cidr: `10.${10 + index * 10}.0.0/16`,
      az_count: ha ? 3 : 2,
      nat_gateway_mode: ha ? 'per-az' : 'single',
      enable_flow_logs: ha,
    },
    cluster: {
      name: `${name}.movies.k8s.local`,
      dns_zone: '',
      kubernetes_version: '1.32.4',
      control_plane: { count: ha ? 3 : 1, instance_type: 't3.medium' },
      node_groups: [
        {
          name: 'nodes',
          instance_type: 't3.medium',
          min: ha ? 3 : 2,
          max: ha ? 9 : 4,
          spot: false,
        },
      ],
      api_access: ha ? ['198.51.100.0/24'] : ['0.0.0.0/0'],
      ssm_access: true,
    },
    mongodb: { mode: 'in-cluster' },
    app: { url: '' },
    promotion: {
      from: index === 0 ? null : ['dev', 'staging'][index - 1]!,
      auto_deploy: index === 0,
    },
    ...overrides,
  };
}

/**
 * Creates a temporary repository-shaped workspace for running an action against environments a
 * test controls, with the real `environments/schema` and (optionally) a copy of the real chart.
 */
export function createEnvironmentWorkspace(
  options: { chart?: boolean } = {},
): EnvironmentWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'env-workspace-'));
  fs.cpSync(
    path.join(repoRoot, 'environments', 'schema'),
    path.join(root, 'environments', 'schema'),
    { recursive: true },
  );
  if (options.chart)
    fs.cpSync(path.join(repoRoot, 'chart'), path.join(root, 'chart'), { recursive: true });
  return {
    root,
    write(name, environment) {
      const dir = path.join(root, 'environments', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'env.yaml'), YAML.stringify(environment.env));
      fs.writeFileSync(path.join(dir, 'values.yaml'), YAML.stringify(environment.values ?? {}));
      fs.writeFileSync(
        path.join(dir, 'release.yaml'),
        YAML.stringify(environment.release ?? { services: {} }),
      );
    },
    remove() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
