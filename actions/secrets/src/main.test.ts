// The bundled action run as the runner runs it, against moto's Secrets Manager (the secrets
// created without values, as terraform/modules/app-secrets does) and a loopback stand-in for the
// Kubernetes API that answers what the sync calls the way the API server does (bearer token,
// namespace lookup, server-side apply of Secrets and ConfigMaps).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runBundledAction } from '@movies/actions-lib/testing';
import { loadSigningKeys } from '@movies/auth/keys';
import { repoRoot, startFakeAws, type FakeAws } from '@movies/testing';
import YAML from 'yaml';

jest.setTimeout(180_000);

const actionDir = path.resolve(__dirname, '..');
const TOKEN = 'test-admin-token';

interface StoredObject {
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

/** The Kubernetes API as far as the sync uses it. */
async function startKubernetes(namespaces: string[]) {
  const objects = new Map<string, StoredObject>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return reply(401, { kind: 'Status', reason: 'Unauthorized', code: 401 });
      const url = new URL(req.url ?? '/', 'http://k8s');
      const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && ns)
        return namespaces.includes(ns[1]!)
          ? reply(200, { kind: 'Namespace', metadata: { name: ns[1] } })
          : reply(404, { kind: 'Status', reason: 'NotFound', code: 404 });
      const object = /^\/api\/v1\/namespaces\/([^/]+)\/(secrets|configmaps)\/([^/]+)$/.exec(
        url.pathname,
      );
      if (req.method === 'PATCH' && object) {
        if (req.headers['content-type'] !== 'application/apply-patch+yaml')
          return reply(415, { kind: 'Status', code: 415 });
        if (url.searchParams.get('fieldManager') !== 'movies-secrets')
          return reply(422, { kind: 'Status', message: 'fieldManager is required for apply' });
        const applied = YAML.parse(body) as StoredObject;
        const [, namespace, plural, name] = object;
        if (!namespaces.includes(namespace!)) return reply(404, { kind: 'Status', code: 404 });
        if (
          applied.metadata.name !== name ||
          applied.metadata.namespace !== namespace ||
          applied.kind !== (plural === 'secrets' ? 'Secret' : 'ConfigMap')
        )
          return reply(400, { kind: 'Status', message: 'name, namespace or kind mismatch' });
        const key = `${applied.kind}/${namespace}/${name}`;
        const existed = objects.has(key);
        objects.set(key, applied);
        return reply(existed ? 200 : 201, applied);
      }
      reply(404, { kind: 'Status', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    objects,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the step printed, without the runner's ::add-mask:: commands (which carry the values). */
const printed = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');

function kubeconfig(dir: string, server: string): string {
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    file,
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'admin',
      clusters: [{ name: 'cluster', cluster: { server } }],
      users: [{ name: 'admin', user: { token: TOKEN } }],
      contexts: [{ name: 'admin', context: { cluster: 'cluster', user: 'admin' } }],
    }),
  );
  return file;
}

describe('secrets action (bundled), on moto and a Kubernetes API stand-in', () => {
  let aws: FakeAws;
  let k8s: Awaited<ReturnType<typeof startKubernetes>>;
  let dir: string;
  let kubeconfigFile: string;

  const secretValue = async (name: string): Promise<Record<string, unknown>> =>
    JSON.parse(
      (
        JSON.parse(
          await aws.request('secretsmanager', {
            target: 'secretsmanager.GetSecretValue',
            json: { SecretId: name },
          }),
        ) as { SecretString: string }
      ).SecretString,
    ) as Record<string, unknown>;

  const run = (inputs: Record<string, string>) =>
    runBundledAction({
      actionDir,
      workspace: repoRoot,
      inputs: { kubeconfig: kubeconfigFile, ...inputs },
      env: aws.env,
      eventName: 'push',
      timeoutMs: 120_000,
    });

  beforeAll(async () => {
    aws = await startFakeAws({ region: 'eu-west-1', accountId: '111111111111' });
    // What terraform/modules/app-secrets creates: the secrets, without values.
    for (const name of [
      'movies/dev/jwt',
      'movies/dev/mongodb-root',
      'movies/staging/jwt',
      'movies/staging/mongodb-users',
    ])
      await aws.request('secretsmanager', {
        target: 'secretsmanager.CreateSecret',
        json: { Name: name, Description: 'created by Terraform without a value' },
      });
    k8s = await startKubernetes(['movies']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-action-'));
    kubeconfigFile = kubeconfig(dir, k8s.url);
  });
  afterAll(async () => {
    await k8s?.stop();
    await aws?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bootstrap generates each value once, never prints it, and keeps it on the next run', async () => {
    const first = await run({ command: 'bootstrap', environment: 'dev' });
    expect(first.errors).toEqual([]);
    expect(first.outputs.generated).toBe('2');
    const ring = await secretValue('movies/dev/jwt');
    const root = (await secretValue('movies/dev/mongodb-root')) as {
      username: string;
      password: string;
    };
    for (const slot of ['current', 'next'])
      expect(createPrivateKey(ring[slot] as string).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(
      createPublicKey(ring.current as string).export({ format: 'der', type: 'spki' }),
    ).not.toEqual(createPublicKey(ring.next as string).export({ format: 'der', type: 'spki' }));
    expect(root.username).toBe('root');
    expect(root.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Masked before any output, and never printed.
    expect(first.masked).toContain(root.password);
    const secondLine = (ring.current as string).split('\n')[1]!;
    expect(first.masked).toContain(secondLine);
    expect(printed(first.stdout)).not.toContain(root.password);
    expect(printed(first.stdout)).not.toContain(secondLine);

    const second = await run({ command: 'bootstrap', environment: 'dev' });
    expect(second.errors).toEqual([]);
    expect(second.outputs.generated).toBe('0');
    expect(await secretValue('movies/dev/jwt')).toEqual(ring);
    expect(second.summary).toContain('kept (already set)');
  });

  it('sync (in-cluster MongoDB) writes the key ring and the root credentials the chart names', async () => {
    const result = await run({ command: 'sync', environment: 'dev' });
    expect(result.errors).toEqual([]);
    const ring = await secretValue('movies/dev/jwt');
    const root = await secretValue('movies/dev/mongodb-root');
    expect(k8s.objects.get('Secret/movies/movies-jwt')?.stringData).toEqual({
      'current.pem': ring.current,
      'next.pem': ring.next,
    });
    expect(k8s.objects.get('Secret/movies/movies-mongodb-root')?.stringData).toEqual({
      username: root.username,
      password: root.password,
    });
    expect(k8s.requests.filter((r) => r.startsWith('PATCH')).length).toBe(2);
    expect(printed(result.stdout)).not.toContain(String(root.password));
  });

  it('the synced key ring is what auth loads as JWT_KEYS_DIR', async () => {
    const ringDir = path.join(dir, 'ring');
    fs.mkdirSync(ringDir, { recursive: true });
    for (const [file, pem] of Object.entries(
      k8s.objects.get('Secret/movies/movies-jwt')!.stringData!,
    ))
      fs.writeFileSync(path.join(ringDir, file), pem);
    const keys = loadSigningKeys({ NODE_ENV: 'production', JWT_KEYS_DIR: ringDir });
    expect(keys.jwks.keys).toHaveLength(2);
  });

  it('rotate-jwt moves next to current and current to previous, and refuses to rotate again too soon', async () => {
    const before = await secretValue('movies/dev/jwt');
    const rotated = await run({ command: 'rotate-jwt', environment: 'dev' });
    expect(rotated.errors).toEqual([]);
    const after = await secretValue('movies/dev/jwt');
    expect(after.previous).toBe(before.current);
    expect(after.current).toBe(before.next);
    expect(after.next).not.toBe(before.next);
    expect(Date.parse(after.rotatedAt as string)).toBeGreaterThan(Date.now() - 60_000);

    const again = await run({ command: 'rotate-jwt', environment: 'dev' });
    expect(again.exitCode).not.toBe(0);
    expect(again.errors.join('\n')).toMatch(
      /the JWT keys were rotated \d+ s ago .*wait at least 3600 s \(min-rotation-interval\)/,
    );
    expect(await secretValue('movies/dev/jwt')).toEqual(after);

    expect((await run({ command: 'sync', environment: 'dev' })).errors).toEqual([]);
    expect(Object.keys(k8s.objects.get('Secret/movies/movies-jwt')!.stringData!).sort()).toEqual([
      'current.pem',
      'next.pem',
      'previous.pem',
    ]);
  });

  it('sync (DocumentDB) writes one connection string per service user and the CA bundle ConfigMap', async () => {
    expect((await run({ command: 'bootstrap', environment: 'staging' })).outputs.generated).toBe(
      '2',
    );
    const users = (await secretValue('movies/staging/mongodb-users')) as Record<
      'auth' | 'data',
      { username: string; password: string }
    >;
    expect([users.auth.username, users.data.username]).toEqual(['movies_auth', 'movies_data']);
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(
      outputs,
      JSON.stringify({
        documentdb_endpoint: {
          value: 'movies-staging.cluster-c0abcdef1234.eu-west-1.docdb.amazonaws.com',
        },
        documentdb_port: { value: 27017 },
      }),
    );
    const bundle = path.join(dir, 'global-bundle.pem');
    fs.writeFileSync(
      bundle,
      '-----BEGIN CERTIFICATE-----\nMIIBstandin\n-----END CERTIFICATE-----\n',
    );
    const result = await run({
      command: 'sync',
      environment: 'staging',
      'terraform-outputs': outputs,
      'ca-bundle': bundle,
    });
    expect(result.errors).toEqual([]);
    const uris = k8s.objects.get('Secret/movies/movies-mongodb')!.stringData!;
    for (const service of ['auth', 'data'] as const) {
      const uri = new URL(uris[`${service}-uri`]!);
      expect(uri.username).toBe(users[service].username);
      expect(decodeURIComponent(uri.password)).toBe(users[service].password);
      expect(uri.host).toBe(
        'movies-staging.cluster-c0abcdef1234.eu-west-1.docdb.amazonaws.com:27017',
      );
      expect(Object.fromEntries(uri.searchParams)).toEqual({
        tls: 'true',
        replicaSet: 'rs0',
        readPreference: 'secondaryPreferred',
        retryWrites: 'false',
      });
    }
    expect(k8s.objects.get('ConfigMap/movies/movies-documentdb-ca')?.data).toEqual({
      'global-bundle.pem': fs.readFileSync(bundle, 'utf8'),
    });
    expect(printed(result.stdout)).not.toContain(users.data.password);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'sync before bootstrap',
      { command: 'sync', environment: 'prod' },
      /secret movies\/prod\/jwt does not exist: terraform\/environment creates it/,
    ],
    [
      'a DocumentDB sync without the CA bundle',
      { command: 'sync', environment: 'staging', 'terraform-outputs': '/dev/null' },
      /documentdb_endpoint is missing|not JSON|Unexpected end/,
    ],
    [
      'an unknown command',
      { command: 'rotate-everything', environment: 'dev' },
      /input command: "rotate-everything" is not one of bootstrap, rotate-jwt, sync/,
    ],
    [
      'a bad namespace',
      { command: 'sync', environment: 'dev', namespace: 'Movies_1' },
      /input namespace/,
    ],
  ])('refuses %s, naming the problem', async (_what, inputs, message) => {
    const result = await run(inputs);
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(message);
  });

  it('refuses a namespace that does not exist yet', async () => {
    const result = await run({ command: 'sync', environment: 'dev', namespace: 'elsewhere' });
    expect(result.errors.join('\n')).toMatch(
      /namespace elsewhere does not exist: sync runs after the helm action has created it/,
    );
  });
});
