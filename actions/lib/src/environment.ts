import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { cidrsOverlap, parseIpv4Cidr } from './cidr';
import { environmentValidators, formatSchemaErrors } from './environment-schema';
import {
  PROMOTION_ORDER,
  type EnvConfig,
  type LoadedEnvironment,
  type ReleaseConfig,
} from './environment-types';

export const ENVIRONMENTS_DIR = 'environments';

/** Every problem found in the environment folders, one `<file>: <field path> <rule>` line each. */
export class EnvironmentError extends Error {
  constructor(readonly errors: string[]) {
    super(
      `${errors.length} environment error${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => `  - ${e}`).join('\n')}`,
    );
    this.name = 'EnvironmentError';
  }
}

/** The repository checkout the action runs in. */
export function workspaceRoot(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

function relative(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

/** Parses a YAML file into a mapping, collecting problems (missing file, syntax, not a mapping) as errors. */
function readYamlMapping(
  repoRoot: string,
  file: string,
  errors: string[],
): Record<string, unknown> | undefined {
  const name = relative(repoRoot, file);
  if (!fs.existsSync(file)) {
    errors.push(`${name}: / file is missing`);
    return undefined;
  }
  const document = parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length > 0) {
    // The first line of yaml's message ends with "at line L, column C".
    for (const error of document.errors)
      errors.push(`${name}: invalid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`);
    return undefined;
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${name}: / must be a YAML mapping`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function previousInOrder(name: string): string | null {
  const index = (PROMOTION_ORDER as readonly string[]).indexOf(name);
  return index > 0 ? PROMOTION_ORDER[index - 1]! : null;
}

/** Rules that span fields (the schema checks each field alone). */
export function crossFieldErrors(file: string, folder: string, env: EnvConfig): string[] {
  const errors: string[] = [];
  const order = PROMOTION_ORDER as readonly string[];
  if (env.name !== folder)
    errors.push(`${file}: /name must equal the folder name "${folder}" (got "${env.name}")`);
  if (!order.includes(folder)) {
    errors.push(`${file}: /name must be one of the promotion order ${order.join(' → ')}`);
  }
  const expectedFrom = previousInOrder(folder);
  if (expectedFrom === null && env.promotion.from !== null) {
    errors.push(
      `${file}: /promotion/from must be null: ${folder} is the first environment of ${order.join(' → ')}`,
    );
  } else if (expectedFrom !== null && env.promotion.from === null) {
    errors.push(`${file}: /promotion/from is required for ${folder}: it must be "${expectedFrom}"`);
  } else if (expectedFrom !== null && env.promotion.from !== expectedFrom) {
    errors.push(
      `${file}: /promotion/from must be "${expectedFrom}", the environment before ${folder} in ${order.join(' → ')} (got "${env.promotion.from}")`,
    );
  }
  if (env.promotion.auto_deploy && folder !== order[0]) {
    errors.push(
      `${file}: /promotion/auto_deploy may be true only for ${order[0]}: ${folder} changes through promotion pull requests`,
    );
  }
  const zone = env.cluster.dns_zone.replace(/\.$/, '');
  if (zone === '' && !env.cluster.name.endsWith('.k8s.local')) {
    errors.push(
      `${file}: /cluster/name must end in ".k8s.local" (gossip DNS) when /cluster/dns_zone is empty (got "${env.cluster.name}")`,
    );
  } else if (zone !== '' && !env.cluster.name.endsWith(`.${zone}`)) {
    errors.push(
      `${file}: /cluster/name must be a name inside /cluster/dns_zone "${zone}" (got "${env.cluster.name}")`,
    );
  }
  const controlPlanes = env.cluster.control_plane.count;
  if (controlPlanes !== 1 && (controlPlanes < 3 || controlPlanes % 2 === 0)) {
    errors.push(
      `${file}: /cluster/control_plane/count must be 1 or an odd number >= 3 so etcd keeps a quorum (got ${controlPlanes})`,
    );
  } else if (controlPlanes > env.network.az_count) {
    errors.push(
      `${file}: /cluster/control_plane/count must be <= /network/az_count (${env.network.az_count}): one control plane per AZ (got ${controlPlanes})`,
    );
  }
  const seen = new Set<string>();
  env.cluster.node_groups.forEach((group, index) => {
    if (group.min > group.max) {
      errors.push(
        `${file}: /cluster/node_groups/${index}/min must be <= max (${group.min} > ${group.max})`,
      );
    }
    if (seen.has(group.name))
      errors.push(
        `${file}: /cluster/node_groups/${index}/name must be unique ("${group.name}" repeats)`,
      );
    seen.add(group.name);
  });
  if (folder === order[order.length - 1]) {
    if (env.network.nat_gateway_mode !== 'per-az') {
      errors.push(
        `${file}: /network/nat_gateway_mode must be "per-az" in ${folder}: one NAT gateway per AZ so an AZ outage keeps egress`,
      );
    }
    if (controlPlanes < 3)
      errors.push(
        `${file}: /cluster/control_plane/count must be >= 3 in ${folder} (highly available control plane)`,
      );
  }
  return errors;
}

export function releaseErrors(file: string, folder: string, release: ReleaseConfig): string[] {
  const errors: string[] = [];
  if (folder === PROMOTION_ORDER[0]) return errors;
  for (const [service, image] of Object.entries(release.services)) {
    if (!image.digest) {
      errors.push(
        `${file}: /services/${service}/digest is required in ${folder}: promoted images are pinned by digest`,
      );
    }
  }
  return errors;
}

function loadInto(repoRoot: string, name: string, errors: string[]): LoadedEnvironment | undefined {
  const dir = path.join(repoRoot, ENVIRONMENTS_DIR, name);
  const validators = environmentValidators(repoRoot);
  const before = errors.length;
  const envFile = path.join(dir, 'env.yaml');
  const releaseFile = path.join(dir, 'release.yaml');
  const env = readYamlMapping(repoRoot, envFile, errors);
  if (env && !validators.env(env))
    errors.push(...formatSchemaErrors(relative(repoRoot, envFile), validators.env.errors));
  else if (env)
    errors.push(
      ...crossFieldErrors(relative(repoRoot, envFile), name, env as unknown as EnvConfig),
    );
  const release = readYamlMapping(repoRoot, releaseFile, errors);
  if (release && !validators.release(release)) {
    errors.push(...formatSchemaErrors(relative(repoRoot, releaseFile), validators.release.errors));
  } else if (release) {
    errors.push(
      ...releaseErrors(relative(repoRoot, releaseFile), name, release as unknown as ReleaseConfig),
    );
  }
  const values = readYamlMapping(repoRoot, path.join(dir, 'values.yaml'), errors);
  if (errors.length > before || !env || !release || !values) return undefined;
  return {
    name,
    env: env as unknown as EnvConfig,
    values,
    release: release as unknown as ReleaseConfig,
    dir,
  };
}

/** Loads and validates one environment folder; throws `EnvironmentError` listing every problem. */
export function loadEnvironment(repoRoot: string, name: string): LoadedEnvironment {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new EnvironmentError([`environment name ${JSON.stringify(name)} is not a folder name`]);
  if (!fs.existsSync(path.join(repoRoot, ENVIRONMENTS_DIR, name))) {
    throw new EnvironmentError([
      `${ENVIRONMENTS_DIR}/${name}: no such environment (known: ${PROMOTION_ORDER.join(', ')})`,
    ]);
  }
  const errors: string[] = [];
  const loaded = loadInto(repoRoot, name, errors);
  if (!loaded) throw new EnvironmentError(errors);
  return loaded;
}

/** The folders under `environments/` that hold an `env.yaml` (schema/ and test folders do not). */
export function environmentFolders(repoRoot: string): string[] {
  const root = path.join(repoRoot, ENVIRONMENTS_DIR);
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, 'env.yaml')),
    )
    .map((entry) => entry.name);
}

/**
 * One AWS account holds every environment (one ECR registry, one OIDC provider, one state
 * bucket; environments are isolated by tags and per-environment roles): an env.yaml naming
 * another account is refused, naming both files.
 */
export function accountErrors(loaded: readonly LoadedEnvironment[]): string[] {
  const first = loaded[0];
  if (!first) return [];
  const account = first.env.aws.account_id;
  return loaded
    .filter((environment) => environment.env.aws.account_id !== account)
    .map(
      (environment) =>
        `${ENVIRONMENTS_DIR}/${environment.name}/env.yaml: /aws/account_id must be the one AWS account of every environment, "${account}" as in ${ENVIRONMENTS_DIR}/${first.name}/env.yaml (got "${environment.env.aws.account_id}")`,
    );
}

/**
 * Loads every environment, in promotion order, checking each folder plus the rules between
 * them (every environment of the promotion order exists; one AWS account; VPC CIDRs and cluster
 * names differ).
 * Throws one `EnvironmentError` listing every problem in every folder.
 */
export function loadEnvironments(repoRoot: string): LoadedEnvironment[] {
  const errors: string[] = [];
  const folders = environmentFolders(repoRoot);
  for (const name of PROMOTION_ORDER) {
    if (!folders.includes(name))
      errors.push(
        `${ENVIRONMENTS_DIR}/${name}/env.yaml: / file is missing (every environment of ${PROMOTION_ORDER.join(' → ')} must exist)`,
      );
  }
  const order = PROMOTION_ORDER as readonly string[];
  const sorted = [...folders].sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const loaded: LoadedEnvironment[] = [];
  for (const name of sorted) {
    const environment = loadInto(repoRoot, name, errors);
    if (environment) loaded.push(environment);
  }
  errors.push(...accountErrors(loaded));
  for (let i = 0; i < loaded.length; i++) {
    for (let j = i + 1; j < loaded.length; j++) {
      const a = loaded[i]!;
      const b = loaded[j]!;
      const file = `${ENVIRONMENTS_DIR}/${b.name}/env.yaml`;
      const cidrA = parseIpv4Cidr(a.env.network.vpc_cidr);
      const cidrB = parseIpv4Cidr(b.env.network.vpc_cidr);
      if (cidrA && cidrB && cidrsOverlap(cidrA, cidrB)) {
        errors.push(
          `${file}: /network/vpc_cidr must not overlap ${a.name}'s ${a.env.network.vpc_cidr} (got ${b.env.network.vpc_cidr})`,
        );
      }
      if (a.env.cluster.name === b.env.cluster.name) {
        errors.push(
          `${file}: /cluster/name must differ from ${a.name}'s (both are "${a.env.cluster.name}")`,
        );
      }
    }
  }
  if (errors.length > 0) throw new EnvironmentError(errors);
  return loaded;
}
