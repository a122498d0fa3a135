import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  createEnvironmentWorkspace,
  environmentConfig,
  type EnvironmentWorkspace,
} from '@movies/actions-lib/testing/environment-workspace';
import { runBundledAction, startFakeGitHub, type FakeGitHub } from '@movies/actions-lib/testing';
import { toolPath } from '@movies/testing';
import { writeStandIns } from './__fixtures__/standIns';

jest.setTimeout(90_000);

const actionDir = path.resolve(__dirname, '..');
const sha = (c: string) => c.repeat(40);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const release = {
  services: {
    auth: { tag: sha('a'), digest: digest('1') },
    data: { tag: sha('b'), digest: digest('2') },
    recommendation: { tag: sha('c'), digest: digest('3') },
    web: { tag: sha('d'), digest: digest('4') },
  },
};

/** A loopback server for the smoke test: /healthz and /readyz fail `failures` times, then answer 200. */
async function startApp(
  failures: number,
): Promise<{ url: string; hits: string[]; stop(): Promise<void> }> {
  const hits: string[] = [];
  let remaining = failures;
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const healthy = remaining <= 0;
    if (!healthy) remaining--;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: healthy ? 'ok' : 'starting' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('helm action (bundled, as the runner runs it)', () => {
  let github: FakeGitHub;
  let workspace: EnvironmentWorkspace;
  let bin: string;
  const deployments: Array<Record<string, unknown>> = [];
  const statuses: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.route('POST', /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/deployments$/, (req) => {
      deployments.push(req.body as Record<string, unknown>);
      return { status: 201, body: { id: 7001 + deployments.length - 1, ...(req.body as object) } };
    });
    github.route(
      'POST',
      /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/deployments\/(?<id>\d+)\/statuses$/,
      (req) => {
        statuses.push({ deployment: Number(req.params.id), ...(req.body as object) });
        return { status: 201, body: { id: statuses.length, ...(req.body as object) } };
      },
    );
    workspace = createEnvironmentWorkspace({ chart: true });
  });
  afterAll(async () => {
    await github.stop();
    workspace.remove();
  });
  beforeEach(() => {
    deployments.length = 0;
    statuses.length = 0;
    github.requests.length = 0;
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-bin-'));
  });
  afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

  const run = (
    inputs: Record<string, string>,
    extra: { event?: Record<string, unknown>; eventName?: string } = {},
  ) =>
    runBundledAction({
      actionDir,
      workspace: workspace.root,
      apiUrl: github.url,
      inputs: { 'github-token': 'test-token', ...inputs },
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_SHA: sha('e') },
      timeoutMs: 60_000,
      ...extra,
    });

  it('upgrades atomically by digest, records a deployment and smoke-tests the public URL', async () => {
    const app = await startApp(2);
    try {
      const publicUrl = 'https://staging.movies.example.org';
      workspace.write('staging', {
        env: environmentConfig('staging', { app: { url: publicUrl } }),
        release,
      });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm') });
      const result = await run({
        command: 'upgrade',
        'smoke-url': app.url,
        environment: 'staging',
        kubeconfig: '/tmp/kubeconfig-staging',
        timeout: '7m',
        'smoke-timeout': '20s',
        'smoke-interval': '100ms',
      });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);

      const upgrade = standIns.calls().find((call) => call.argv[0] === 'upgrade');
      expect(upgrade?.argv).toEqual([
        'upgrade',
        '--install',
        'movies',
        path.join(workspace.root, 'chart'),
        '--namespace',
        'movies',
        '--create-namespace',
        '--atomic',
        '--wait',
        '--timeout',
        '7m',
        '-f',
        path.join(workspace.root, 'environments', 'staging', 'values.yaml'),
        '--set',
        'global.imageRegistry=111111111111.dkr.ecr.eu-west-1.amazonaws.com',
        '--set-string',
        `services.web.image.tag=${sha('d')}`,
        '--set-string',
        `services.web.image.digest=${digest('4')}`,
        '--set-string',
        `services.auth.image.tag=${sha('a')}`,
        '--set-string',
        `services.auth.image.digest=${digest('1')}`,
        '--set-string',
        `services.data.image.tag=${sha('b')}`,
        '--set-string',
        `services.data.image.digest=${digest('2')}`,
        '--set-string',
        `services.recommendation.image.tag=${sha('c')}`,
        '--set-string',
        `services.recommendation.image.digest=${digest('3')}`,
        '--kubeconfig',
        '/tmp/kubeconfig-staging',
      ]);
      // What will change is rendered (by the real helm) before anything is upgraded.
      const tools = standIns.calls().map((call) => call.argv[0]);
      expect(tools.indexOf('template')).toBeLessThan(tools.indexOf('upgrade'));

      expect(deployments).toEqual([
        expect.objectContaining({
          ref: sha('e'),
          environment: 'staging',
          auto_merge: false,
          required_contexts: [],
          payload: expect.objectContaining({
            images: expect.objectContaining({ web: { tag: sha('d'), digest: digest('4') } }),
          }),
        }),
      ]);
      expect(statuses.map((s) => [s.deployment, s.state, s.environment_url])).toEqual([
        [7001, 'in_progress', undefined],
        [7001, 'success', publicUrl],
      ]);
      expect(app.hits.slice(0, 3)).toEqual(['/healthz', '/healthz', '/healthz']);
      expect(app.hits.slice(-2)).toEqual(['/healthz', '/readyz']);
      expect(result.outputs).toMatchObject({
        'deployment-id': '7001',
        revision: '4',
        'environment-url': publicUrl,
      });
      expect(result.summary).toContain('Deployed to `staging`');
    } finally {
      await app.stop();
    }
  });

  it('takes the environment URL from the LoadBalancer when app.url is empty', async () => {
    const app = await startApp(0);
    try {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      const host = app.url.replace('http://', '');
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm'), loadBalancerHost: host });
      const result = await run({
        command: 'upgrade',
        environment: 'staging',
        kubeconfig: '/tmp/k',
        'smoke-interval': '100ms',
      });
      expect(result.errors).toEqual([]);
      expect(standIns.calls().find((c) => c.tool === 'kubectl')?.argv).toEqual([
        'get',
        'services',
        '--namespace',
        'movies',
        '-o',
        'json',
        '--kubeconfig',
        '/tmp/k',
      ]);
      expect(statuses.at(-1)).toMatchObject({ state: 'success', environment_url: app.url });
    } finally {
      await app.stop();
    }
  });

  it('fails the step and the deployment when the smoke test never passes', async () => {
    const app = await startApp(Number.POSITIVE_INFINITY);
    try {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      writeStandIns(bin, { realHelm: toolPath('helm') });
      const result = await run({
        command: 'upgrade',
        environment: 'staging',
        'smoke-url': app.url,
        'smoke-timeout': '1s',
        'smoke-interval': '200ms',
      });
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(
        /smoke test of http:\/\/127\.0\.0\.1:\d+ failed after \d+ attempt\(s\): GET .*\/healthz answered 503/,
      );
      expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    } finally {
      await app.stop();
    }
  });

  it('marks the deployment failed when helm rolls the upgrade back', async () => {
    workspace.write('staging', { env: environmentConfig('staging'), release });
    writeStandIns(bin, { realHelm: toolPath('helm'), failUpgrade: true });
    const result = await run({ command: 'upgrade', environment: 'staging' });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /UPGRADE FAILED: release movies failed, and has been rolled back/,
    );
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  });

  describe('bad input fails before anything changes', () => {
    it.each([
      [
        'an image without a digest in staging',
        { services: { ...release.services, web: { tag: sha('d') } } },
        /services\/web\/digest is required in staging/,
      ],
      [
        'an unknown service',
        { services: { ...release.services, payments: { tag: sha('f'), digest: digest('5') } } },
        /release\.yaml: .*payments/,
      ],
      [
        'a release missing a service',
        { services: { auth: release.services.auth } },
        /services\.web is missing: every service of the chart needs an image/,
      ],
    ])('%s', async (_name, bad, message) => {
      workspace.write('staging', {
        env: environmentConfig('staging'),
        release: bad as typeof release,
      });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm') });
      const result = await run({ command: 'upgrade', environment: 'staging' });
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(message);
      expect(standIns.calls().filter((c) => c.argv[0] === 'upgrade')).toEqual([]);
      expect(deployments).toEqual([]);
    });
  });

  it.each([
    [
      'rollback',
      { revision: '3' },
      [
        'rollback',
        'movies',
        '3',
        '--namespace',
        'movies',
        '--wait',
        '--timeout',
        '10m',
        '--kubeconfig',
        '/tmp/k',
      ],
    ],
    [
      'rollback',
      {},
      [
        'rollback',
        'movies',
        '--namespace',
        'movies',
        '--wait',
        '--timeout',
        '10m',
        '--kubeconfig',
        '/tmp/k',
      ],
    ],
    [
      'uninstall',
      {},
      [
        'uninstall',
        'movies',
        '--namespace',
        'movies',
        '--wait',
        '--timeout',
        '10m',
        '--kubeconfig',
        '/tmp/k',
      ],
    ],
    [
      'test',
      {},
      [
        'test',
        'movies',
        '--namespace',
        'movies',
        '--logs',
        '--timeout',
        '10m',
        '--kubeconfig',
        '/tmp/k',
      ],
    ],
  ])('%s runs helm with the release, namespace and wait', async (command, extra, argv) => {
    workspace.write('dev', { env: environmentConfig('dev'), release: { services: {} } });
    const standIns = writeStandIns(bin, { realHelm: toolPath('helm') });
    const result = await run({ command, environment: 'dev', kubeconfig: '/tmp/k', ...extra });
    expect(result.errors).toEqual([]);
    expect(standIns.calls().map((c) => c.argv)).toEqual([argv]);
  });

  describe('diff (real helm)', () => {
    beforeAll(() => {
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: workspace.root, stdio: 'pipe' });
      workspace.write('dev', {
        env: environmentConfig('dev'),
        release: { services: { web: { tag: sha('1') } } },
      });
      git('init', '-q', '-b', 'main');
      git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
      git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
    });

    const pullRequest = {
      pull_request: { number: 12, head: { ref: 'change' }, base: { ref: 'main' } },
    };

    it('compares the render with the base branch and edits one PR comment in place', async () => {
      workspace.write('dev', {
        env: environmentConfig('dev'),
        release: { services: { web: { tag: sha('2') } } },
      });
      const first = await run(
        {
          command: 'diff',
          environment: 'dev',
          'helm-path': toolPath('helm'),
          'base-ref': 'main',
          'output-dir': bin,
        },
        { eventName: 'pull_request', event: pullRequest },
      );
      expect(first.errors).toEqual([]);
      expect(first.outputs['has-changes']).toBe('true');
      expect(first.summary).toMatch(new RegExp(`^-\\s+image: "[^"]*movies/web:${sha('1')}"$`, 'm'));
      expect(first.summary).toMatch(
        new RegExp(`^\\+\\s+image: "[^"]*movies/web:${sha('2')}"$`, 'm'),
      );
      expect(first.summary).toContain('compared with base `main`');
      const comments = github.comments('movies-org', 'movies-gitops', 12);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain('<!-- movies-gitops:env=dev -->');
      expect(comments[0]!.body).toContain('<!-- section:helm -->');
      expect(fs.readFileSync(first.outputs['manifest-path']!, 'utf8')).toContain(
        'kind: Deployment',
      );

      workspace.write('dev', {
        env: environmentConfig('dev'),
        release: { services: { web: { tag: sha('1') } } },
      });
      const second = await run(
        { command: 'diff', environment: 'dev', 'helm-path': toolPath('helm'), 'base-ref': 'main' },
        { eventName: 'pull_request', event: pullRequest },
      );
      expect(second.outputs['has-changes']).toBe('false');
      const after = github.comments('movies-org', 'movies-gitops', 12);
      expect(after).toHaveLength(1);
      expect(after[0]!.body).toContain('No changes to the rendered manifests');
      // The worktree of the base is cleaned up.
      expect(
        execFileSync('git', ['worktree', 'list'], { cwd: workspace.root, encoding: 'utf8' })
          .trim()
          .split('\n'),
      ).toHaveLength(1);
    });

    it('falls back to the base when the kubeconfig reaches no cluster', async () => {
      const kubeconfig = path.join(bin, 'kubeconfig');
      fs.writeFileSync(
        kubeconfig,
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: x}}]\n',
      );
      const result = await run({
        command: 'diff',
        environment: 'dev',
        'helm-path': toolPath('helm'),
        'base-ref': 'main',
        kubeconfig,
      });
      expect(result.errors).toEqual([]);
      expect(result.summary).toContain(
        'No changes to the rendered manifests (compared with base `main`)',
      );
    });

    it('fails naming the value when the environment values break the chart schema', async () => {
      workspace.write('dev', {
        env: environmentConfig('dev'),
        values: { services: { web: { replicas: 'three' } } },
        release: { services: { web: { tag: sha('1') } } },
      });
      try {
        const result = await run({
          command: 'diff',
          environment: 'dev',
          'helm-path': toolPath('helm'),
          'base-ref': 'main',
        });
        expect(result.exitCode).toBe(1);
        expect(result.errors.join('\n')).toMatch(
          /helm lint of the chart with environments\/dev\/values.yaml failed:\n\[ERROR\] .*replicas/,
        );
      } finally {
        workspace.write('dev', {
          env: environmentConfig('dev'),
          release: { services: { web: { tag: sha('1') } } },
        });
      }
    });

    it('says so when the base ref does not exist', async () => {
      const result = await run({
        command: 'diff',
        environment: 'dev',
        'helm-path': toolPath('helm'),
        'base-ref': 'no-such-branch',
      });
      expect(result.errors).toEqual([]);
      expect(result.summary).toMatch(/base ref no-such-branch is not available/);
    });
  });
});
