import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { LoadedEnvironment } from '@movies/actions-lib';
import type { KubernetesObject } from './kubernetes';
import type { DatabaseUser, DatabaseUsers, JwtRing } from './values';

/** The names the chart reads (chart/values.yaml merged with the environment's values.yaml). */
export interface ChartNames {
  jwtSecret: string;
  mongodbSecret: string;
  rootSecret: string;
  rootUsernameKey: string;
  rootPasswordKey: string;
  caConfigMap: string;
  caKey: string;
}

type Tree = Record<string, unknown>;
const at = (tree: Tree | undefined, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);

export function chartNames(repoRoot: string, environment: LoadedEnvironment): ChartNames {
  const defaults = YAML.parse(
    fs.readFileSync(path.join(repoRoot, 'chart', 'values.yaml'), 'utf8'),
  ) as Tree;
  const pick = (...keys: string[]) =>
    String(at(environment.values, ...keys) ?? at(defaults, ...keys) ?? '');
  return {
    jwtSecret: pick('secrets', 'jwt', 'existingSecret'),
    mongodbSecret: pick('secrets', 'mongodb', 'existingSecret'),
    rootSecret: pick('mongodb', 'auth', 'existingSecret'),
    rootUsernameKey: pick('mongodb', 'auth', 'usernameKey'),
    rootPasswordKey: pick('mongodb', 'auth', 'passwordKey'),
    caConfigMap: pick('secrets', 'mongodb', 'caBundleConfigMap'),
    caKey: pick('secrets', 'mongodb', 'caBundleKey'),
  };
}

/** DocumentDB's connection string for one user: TLS, the replica set, reads from replicas, no retryable writes. */
export function documentdbUri(user: DatabaseUser, endpoint: string, port: number): string {
  const credentials = `${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}`;
  return `mongodb://${credentials}@${endpoint}:${port}/?tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false`;
}

const labels = {
  'app.kubernetes.io/part-of': 'movies',
  'app.kubernetes.io/managed-by': 'movies-secrets',
};

export interface DesiredState {
  namespace: string;
  names: ChartNames;
  jwt: JwtRing;
  /** With DocumentDB. */
  documentdb?: { endpoint: string; port: number; users: DatabaseUsers; caBundle: string };
  /** With the in-cluster MongoDB (dev). */
  root?: DatabaseUser;
}

/** The Secrets and the ConfigMap the chart references, from the values kept in Secrets Manager. */
export function desiredObjects(state: DesiredState): KubernetesObject[] {
  const meta = (name: string) => ({ name, namespace: state.namespace, labels });
  const ring: Record<string, string> = {
    'current.pem': state.jwt.current,
    'next.pem': state.jwt.next,
  };
  if (state.jwt.previous) ring['previous.pem'] = state.jwt.previous;
  const objects: KubernetesObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(state.names.jwtSecret),
      type: 'Opaque',
      stringData: ring,
    },
  ];
  if (state.documentdb) {
    const { endpoint, port, users, caBundle } = state.documentdb;
    if (!state.names.mongodbSecret || !state.names.caConfigMap)
      throw new Error(
        'values: secrets.mongodb.existingSecret and secrets.mongodb.caBundleConfigMap must be set for an environment with DocumentDB',
      );
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta(state.names.mongodbSecret),
        type: 'Opaque',
        stringData: {
          'auth-uri': documentdbUri(users.auth, endpoint, port),
          'data-uri': documentdbUri(users.data, endpoint, port),
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(state.names.caConfigMap),
        data: { [state.names.caKey]: caBundle },
      },
    );
  }
  if (state.root) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(state.names.rootSecret),
      type: 'Opaque',
      stringData: {
        [state.names.rootUsernameKey]: state.root.username,
        [state.names.rootPasswordKey]: state.root.password,
      },
    });
  }
  return objects;
}
