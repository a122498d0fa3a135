import fs from 'node:fs';
import * as core from '@actions/core';
import {
  loadEnvironment,
  workspaceRoot,
  writeSummary,
  type LoadedEnvironment,
} from '@movies/actions-lib';
import { readInputs, type SecretsInputs } from './inputs';
import { Kubernetes, readKubeconfig } from './kubernetes';
import { chartNames, desiredObjects } from './objects';
import { SecretStore } from './store';
import {
  SecretValueError,
  newDatabaseUsers,
  newJwtRing,
  newRootUser,
  parseDatabaseUsers,
  parseJwtRing,
  parseRootUser,
  rotate,
  type DatabaseUser,
  type DatabaseUsers,
  type JwtRing,
} from './values';

/** The Secrets Manager names terraform/modules/app-secrets creates for an environment. */
export function secretNames(environment: string) {
  return {
    jwt: `movies/${environment}/jwt`,
    users: `movies/${environment}/mongodb-users`,
    root: `movies/${environment}/mongodb-root`,
  };
}

const usesDocumentDb = (environment: LoadedEnvironment) =>
  environment.env.mongodb.mode === 'external';

/**
 * Masks every secret string of a value before anything could print it: each password, and each
 * line of each PEM (the runner masks line by line).
 */
function mask(value: JwtRing | DatabaseUsers | DatabaseUser): void {
  const PUBLIC = new Set(['username', 'rotatedAt']);
  const leaves = (node: unknown): string[] =>
    typeof node === 'string'
      ? [node]
      : node && typeof node === 'object'
        ? Object.entries(node)
            .filter(([key]) => !PUBLIC.has(key))
            .flatMap(([, child]) => leaves(child))
        : [];
  for (const leaf of leaves(value))
    for (const part of [leaf, ...leaf.split('\n')])
      if (part.length >= 16 && !part.startsWith('-----')) core.setSecret(part);
}

export async function run(): Promise<void> {
  const inputs = readInputs();
  const environment = loadEnvironment(workspaceRoot(), inputs.environment);
  const store = new SecretStore(environment.env.aws.region);
  switch (inputs.command) {
    case 'bootstrap':
      return bootstrap(store, environment);
    case 'rotate-jwt':
      return rotateJwt(store, environment, inputs);
    case 'sync':
      return sync(store, environment, inputs);
  }
}

/** Writes each value once: generated here, never printed, never replaced once set. */
async function bootstrap(store: SecretStore, environment: LoadedEnvironment): Promise<void> {
  const names = secretNames(environment.name);
  const wanted: Array<[string, () => JwtRing | DatabaseUsers | DatabaseUser]> = [
    [names.jwt, newJwtRing],
    usesDocumentDb(environment) ? [names.users, newDatabaseUsers] : [names.root, newRootUser],
  ];
  const rows: string[] = [];
  for (const [name, generate] of wanted) {
    if ((await store.read(name)) !== null) {
      rows.push(`| \`${name}\` | kept (already set) |`);
      continue;
    }
    const value = generate();
    mask(value);
    await store.write(name, JSON.stringify(value));
    rows.push(`| \`${name}\` | generated |`);
  }
  core.setOutput('generated', String(rows.filter((r) => r.endsWith('generated |')).length));
  writeSummary(
    `## Secrets of \`${environment.name}\`\n\n| Secret | |\n|---|---|\n${rows.join('\n')}\n`,
  );
}

async function readRequired<T>(
  store: SecretStore,
  name: string,
  parse: (name: string, text: string) => T,
): Promise<T> {
  const text = await store.read(name);
  if (text === null)
    throw new SecretValueError(
      `${name} has no value yet: run the secrets action with command bootstrap first`,
    );
  const value = parse(name, text);
  mask(value as JwtRing);
  return value;
}

async function rotateJwt(
  store: SecretStore,
  environment: LoadedEnvironment,
  inputs: SecretsInputs,
): Promise<void> {
  const name = secretNames(environment.name).jwt;
  const ring = await readRequired(store, name, parseJwtRing);
  const rotated = rotate(ring, new Date(), inputs.minRotationIntervalMs);
  mask(rotated);
  await store.write(name, JSON.stringify(rotated));
  writeSummary(
    `## JWT keys of \`${environment.name}\` rotated\n\nnext is now current, current is previous; a new next was generated (${rotated.rotatedAt}). Run \`sync\` (every deploy does) to publish it.\n`,
  );
}

function documentdbOutputs(file: string): { endpoint: string; port: number } {
  if (!file)
    throw new Error(
      'input terraform-outputs is required for sync with DocumentDB (terraform output -json of terraform/environment)',
    );
  const outputs = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { value?: unknown }>;
  const endpoint = outputs.documentdb_endpoint?.value;
  const port = outputs.documentdb_port?.value ?? 27017;
  if (typeof endpoint !== 'string' || !/^[a-z0-9.-]+$/.test(endpoint))
    throw new Error(`${file}: output documentdb_endpoint is missing or not a host name`);
  if (typeof port !== 'number') throw new Error(`${file}: output documentdb_port is not a number`);
  return { endpoint, port };
}

/** Copies the values into the Secrets (and the CA bundle ConfigMap) the chart references. */
async function sync(
  store: SecretStore,
  environment: LoadedEnvironment,
  inputs: SecretsInputs,
): Promise<void> {
  if (!inputs.kubeconfig) throw new Error('input kubeconfig is required for sync');
  const names = secretNames(environment.name);
  const jwt = await readRequired(store, names.jwt, parseJwtRing);
  let documentdb;
  let root;
  if (usesDocumentDb(environment)) {
    const { endpoint, port } = documentdbOutputs(inputs.terraformOutputs);
    if (!inputs.caBundle)
      throw new Error('input ca-bundle is required for sync with DocumentDB (global-bundle.pem)');
    const caBundle = fs.readFileSync(inputs.caBundle, 'utf8');
    if (!caBundle.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`input ca-bundle: ${inputs.caBundle} holds no PEM certificate`);
    documentdb = {
      endpoint,
      port,
      caBundle,
      users: await readRequired(store, names.users, parseDatabaseUsers),
    };
  } else {
    root = await readRequired(store, names.root, parseRootUser);
  }
  const objects = desiredObjects({
    namespace: inputs.namespace,
    names: chartNames(workspaceRoot(), environment),
    jwt,
    documentdb,
    root,
  });
  const kubernetes = new Kubernetes(readKubeconfig(inputs.kubeconfig));
  if (!(await kubernetes.namespaceExists(inputs.namespace)))
    throw new Error(
      `namespace ${inputs.namespace} does not exist: sync runs after the helm action has created it`,
    );
  for (const object of objects) await kubernetes.apply(object);
  const list = objects.map((o) => `\`${o.kind}/${o.metadata.name}\``).join(', ');
  core.info(`applied ${list} in namespace ${inputs.namespace}`);
  writeSummary(
    `## Secrets of \`${environment.name}\` synced\n\n${list} in \`${inputs.namespace}\`.\n`,
  );
}
