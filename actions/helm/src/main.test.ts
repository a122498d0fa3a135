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
import {
  renderReviewSection,
  upsertCommentSection,
  writeReviewCheck,
  type EndpointName,
} from '@movies/actions-lib';
import {
  runBundledAction,
  startFakeGitHub,
  type FakeDeployment,
  type FakeGitHub,
} from '@movies/actions-lib/testing';
import { toolPath } from '@movies/testing';
import { writeStandIns } from './__fixtures__/standIns';
import { GITHUB_CALLS } from './github-calls';
import type { HelmCommand } from './inputs';

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

const OWNER = 'movies-org';
const REPO = 'movies-gitops';
const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';

describe('helm action (bundled, as the runner runs it)', () => {
  let github: FakeGitHub;
  let workspace: EnvironmentWorkspace;
  let bin: string;
  const deployments = (): FakeDeployment[] => github.repository(OWNER, REPO).deployments;
  /** The deployment statuses of the latest deployment, oldest first. */
  const statuses = () =>
    (deployments().at(-1)?.statuses ?? []).map((status) => ({
      deployment: deployments().at(-1)!.id,
      state: status.state,
      environment_url: status.environment_url || undefined,
      description: status.description,
    }));

  beforeAll(async () => {
    github = await startFakeGitHub();
    workspace = createEnvironmentWorkspace({ chart: true });
  });
  afterAll(async () => {
    await github.stop();
    workspace.remove();
  });
  beforeEach(() => {
    github.repository(OWNER, REPO).deployments.length = 0;
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
      repository: `${OWNER}/${REPO}`,
      inputs: {
        'github-token': github.tokenFor(GITHUB_CALLS[inputs.command as HelmCommand] ?? []),
        'image-registry': REGISTRY,
        ...inputs,
      },
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_SHA: sha('e') },
      timeoutMs: 60_000,
      ...extra,
    });

  const upgradeInputs = (extra: Record<string, string> = {}) => ({
    command: 'upgrade',
    environment: 'staging',
    kubeconfig: '/tmp/kubeconfig-staging',
    timeout: '7m',
    'smoke-timeout': '20s',
    'smoke-interval': '100ms',
    ...extra,
  });

  it('labels the namespace for Pod Security, upgrades by digest, smoke-tests and helm-tests, then marks success', async () => {
    const app = await startApp(2);
    try {
      const publicUrl = 'https://staging.movies.example.org';
      workspace.write('staging', {
        env: environmentConfig('staging', { app: { url: publicUrl } }),
        release,
      });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm') });
      const result = await run(upgradeInputs({ 'smoke-url': app.url }));
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);

      const calls = standIns.calls();
      // The namespace is created (or labelled) before helm creates any pod in it.
      const apply = calls.findIndex((c) => c.tool === 'kubectl' && c.argv[0] === 'apply');
      expect(calls[apply]!.argv).toEqual([
        'apply',
        '--server-side',
        '--field-manager=movies-helm-action',
        '-f',
        '-',
        '--kubeconfig',
        '/tmp/kubeconfig-staging',
      ]);
      const namespace = calls[apply]!.stdin;
      expect(namespace).toMatch(/^kind: Namespace$/m);
      expect(namespace).toMatch(/^ {2}name: movies$/m);
      expect(namespace).toContain('pod-security.kubernetes.io/enforce: restricted');
      expect(namespace).toContain('pod-security.kubernetes.io/enforce-version: v1.32');
      const upgradeAt = calls.findIndex((c) => c.argv[0] === 'upgrade');
      expect(apply).toBeLessThan(upgradeAt);
      expect(calls[upgradeAt]!.argv).toEqual([
        'upgrade',
        '--install',
        'movies',
        path.join(workspace.root, 'chart'),
        '--namespace',
        'movies',
        '--atomic',
        '--wait',
        '--timeout',
        '7m',
        '-f',
        path.join(workspace.root, 'environments', 'staging', 'values.yaml'),
        '--set',
        `global.imageRegistry=${REGISTRY}`,
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
      // What will change is rendered (by the real helm, at the cluster's version) first.
      const template = calls.find((c) => c.argv[0] === 'template')!;
      expect(template.argv).toEqual(expect.arrayContaining(['--kube-version', '1.32.4']));
      expect(calls.indexOf(template)).toBeLessThan(upgradeAt);
      // helm test runs as part of the upgrade, after the smoke test.
      expect(calls.findIndex((c) => c.argv[0] === 'test')).toBeGreaterThan(upgradeAt);

      expect(deployments()).toHaveLength(1);
      expect(deployments()[0]).toMatchObject({
        sha: sha('e'),
        environment: 'staging',
        creator: { login: 'github-actions[bot]' },
        payload: expect.objectContaining({
          registry: REGISTRY,
          images: expect.objectContaining({ web: { tag: sha('d'), digest: digest('4') } }),
          review: { helm: expect.stringMatching(/^[0-9a-f]{64}$/) },
        }),
      });
      expect(statuses().map((s) => [s.state, s.environment_url])).toEqual([
        ['in_progress', undefined],
        ['success', publicUrl],
      ]);
      expect(app.hits.slice(0, 3)).toEqual(['/healthz', '/healthz', '/healthz']);
      expect(app.hits.slice(-2)).toEqual(['/healthz', '/readyz']);
      expect(result.outputs).toMatchObject({
        'deployment-id': String(deployments()[0]!.id),
        revision: '4',
        'environment-url': publicUrl,
      });
      expect(result.summary).toContain('Deployed to `staging`');
      expect(result.summary).toContain('smoke test and helm test passed');
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
      const result = await run(upgradeInputs({ kubeconfig: '/tmp/k' }));
      expect(result.errors).toEqual([]);
      expect(
        standIns.calls().find((c) => c.tool === 'kubectl' && c.argv[0] === 'get')?.argv,
      ).toEqual([
        'get',
        'services',
        '--namespace',
        'movies',
        '-o',
        'json',
        '--kubeconfig',
        '/tmp/k',
      ]);
      expect(statuses().at(-1)).toMatchObject({ state: 'success', environment_url: app.url });
    } finally {
      await app.stop();
    }
  });

  it('rolls back to the previous revision when the smoke test never passes (defect 9)', async () => {
    const app = await startApp(Number.POSITIVE_INFINITY);
    try {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm'), revision: 3 });
      const result = await run(
        upgradeInputs({ 'smoke-url': app.url, 'smoke-timeout': '1s', 'smoke-interval': '200ms' }),
      );
      expect(result.exitCode).toBe(1);
      expect(result.outputs['failure-reason']).toBe('smoke-failed');
      expect(result.errors.join('\n')).toMatch(
        /smoke test of http:\/\/127\.0\.0\.1:\d+ failed after \d+ attempt\(s\): GET .*\/healthz answered 503; rolled back to revision 3/,
      );
      expect(
        standIns
          .calls()
          .filter((c) => c.tool === 'helm')
          .map((c) => c.argv[0]),
      ).toEqual(expect.arrayContaining(['upgrade', 'rollback']));
      expect(
        standIns
          .calls()
          .find((c) => c.argv[0] === 'rollback')!
          .argv.slice(0, 3),
      ).toEqual(['rollback', 'movies', '3']);
      expect(standIns.calls().map((c) => c.argv[0])).not.toContain('test');
      expect(result.outputs['rolled-back']).toBe('true');
      expect(statuses().map((s) => s.state)).toEqual(['in_progress', 'failure']);
      expect(statuses()[1]!.description).toMatch(/rolled back to revision 3$/);
    } finally {
      await app.stop();
    }
  });

  it('rolls back and never marks success when helm test fails (defect 9)', async () => {
    const app = await startApp(0);
    try {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm'), failTest: true });
      const result = await run(upgradeInputs({ 'smoke-url': app.url }));
      expect(result.exitCode).toBe(1);
      expect(result.outputs['failure-reason']).toBe('helm-test-failed');
      expect(result.errors.join('\n')).toMatch(/helm test failed: .*pod movies-test-login failed/s);
      const helm = standIns.calls().map((c) => c.argv[0]);
      expect(helm.indexOf('test')).toBeLessThan(helm.indexOf('rollback'));
      expect(statuses().map((s) => s.state)).toEqual(['in_progress', 'failure']);
    } finally {
      await app.stop();
    }
  });

  it('uninstalls a first install whose smoke test fails: nothing unverified keeps running', async () => {
    const app = await startApp(Number.POSITIVE_INFINITY);
    try {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      const standIns = writeStandIns(bin, { realHelm: toolPath('helm'), revision: 0 });
      const result = await run(
        upgradeInputs({
          'smoke-url': app.url,
          'smoke-timeout': '300ms',
          'smoke-interval': '100ms',
        }),
      );
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(/the first install was uninstalled/);
      expect(standIns.calls().map((c) => c.argv[0])).toContain('uninstall');
    } finally {
      await app.stop();
    }
  });

  it('marks the deployment failed when helm rolls the upgrade back by itself', async () => {
    workspace.write('staging', { env: environmentConfig('staging'), release });
    const standIns = writeStandIns(bin, { realHelm: toolPath('helm'), failUpgrade: true });
    const result = await run({ command: 'upgrade', environment: 'staging' });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /UPGRADE FAILED: release movies failed, and has been rolled back/,
    );
    expect(standIns.calls().map((c) => c.argv[0])).not.toContain('rollback');
    expect(statuses().map((s) => s.state)).toEqual(['in_progress', 'failure']);
  });

  describe('images of the environment that follows main', () => {
    const ci = {
      auth: { tag: sha('7'), digest: digest('7') },
      data: { tag: sha('7'), digest: digest('8') },
      recommendation: { tag: sha('7'), digest: digest('9') },
      web: { tag: sha('7'), digest: digest('6') },
    };

    it("deploys ci's pushed images to dev; a redeploy keeps the last deployment's images", async () => {
      workspace.write('dev', { env: environmentConfig('dev'), release: { services: {} } });
      const app = await startApp(0);
      try {
        const standIns = writeStandIns(bin, { realHelm: toolPath('helm') });
        const first = await run({
          command: 'upgrade',
          environment: 'dev',
          'smoke-url': app.url,
          images: JSON.stringify(ci),
        });
        expect(first.errors).toEqual([]);
        expect(standIns.calls().find((c) => c.argv[0] === 'upgrade')!.argv).toEqual(
          expect.arrayContaining([`services.web.image.digest=${digest('6')}`]),
        );
        const again = await run({ command: 'upgrade', environment: 'dev', 'smoke-url': app.url });
        expect(again.errors).toEqual([]);
        expect(again.stdout).toMatch(
          /deploying the images of dev's last successful deployment \d+/,
        );
        expect(deployments().at(-1)!.payload).toMatchObject({ images: ci });
      } finally {
        await app.stop();
      }
    });

    it('refuses images for a promoted environment: they come from its release.yaml', async () => {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      writeStandIns(bin, { realHelm: toolPath('helm') });
      const result = await run({
        command: 'upgrade',
        environment: 'staging',
        images: JSON.stringify(ci),
      });
      expect(result.errors[0]).toMatch(
        /input images is only for the environment that follows main \(promotion\.auto_deploy\): staging's images come from environments\/staging\/release\.yaml/,
      );
      expect(deployments()).toEqual([]);
    });
  });

  describe('verify-reviewed: only a render a merged pull request showed is upgraded (defect 6)', () => {
    const BOT: EndpointName[] = [
      'issues.listComments',
      'issues.createComment',
      'issues.updateComment',
      'checks.create',
    ];

    /** A pull request changing staging whose plan job recorded `helm` as its render hash, merged. */
    async function reviewedMerge(helm: string): Promise<string> {
      const pull = github.openPullRequest(OWNER, REPO, {
        files: ['environments/staging/values.yaml'],
      });
      const record = { environment: 'staging', head: pull.head.sha, base: pull.base.sha, helm };
      const octokit = github.client(github.tokenFor(BOT));
      await upsertCommentSection({
        octokit,
        owner: OWNER,
        repo: REPO,
        issueNumber: pull.number,
        environment: 'staging',
        section: 'review',
        body: renderReviewSection(record),
      });
      await writeReviewCheck(octokit, { owner: OWNER, repo: REPO }, record, {
        conclusion: 'success',
        summary: 'recorded',
      });
      return github.mergePullRequest(OWNER, REPO, pull.number);
    }

    it('upgrades the reviewed render and refuses any other', async () => {
      workspace.write('staging', { env: environmentConfig('staging'), release });
      writeStandIns(bin, { realHelm: toolPath('helm') });
      const diff = await run({
        command: 'diff',
        environment: 'staging',
        'helm-path': toolPath('helm'),
      });
      const hash = diff.outputs['review-hash']!;
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const app = await startApp(0);
      try {
        const reviewed = await reviewedMerge(hash);
        const ok = await runBundledAction({
          actionDir,
          workspace: workspace.root,
          apiUrl: github.url,
          repository: `${OWNER}/${REPO}`,
          inputs: {
            'github-token': github.tokenFor(GITHUB_CALLS.upgrade),
            command: 'upgrade',
            environment: 'staging',
            'smoke-url': app.url,
            'verify-reviewed': 'true',
          },
          env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_SHA: reviewed },
        });
        expect(ok.errors).toEqual([]);
        const other = await reviewedMerge('f'.repeat(64));
        const before = deployments().length;
        const refused = await runBundledAction({
          actionDir,
          workspace: workspace.root,
          apiUrl: github.url,
          repository: `${OWNER}/${REPO}`,
          inputs: {
            'github-token': github.tokenFor(GITHUB_CALLS.upgrade),
            command: 'upgrade',
            environment: 'staging',
            'verify-reviewed': 'true',
          },
          env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_SHA: other },
        });
        expect(refused.outputs['failure-reason']).toBe('helm-render-changed');
        expect(refused.errors[0]).toMatch(
          /is not what was reviewed \(f{64} on #\d+\): nothing was upgraded/,
        );
        expect(deployments()).toHaveLength(before);
      } finally {
        await app.stop();
      }
    });
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
      expect(deployments()).toEqual([]);
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

  it('uninstall of a release that is already gone succeeds (a resumed teardown)', async () => {
    workspace.write('dev', { env: environmentConfig('dev'), release: { services: {} } });
    writeStandIns(bin, { realHelm: toolPath('helm'), revision: 0 });
    const result = await run({ command: 'uninstall', environment: 'dev', kubeconfig: '/tmp/k' });
    expect(result.errors).toEqual([]);
    expect(result.outputs.uninstalled).toBe('false');
    expect(result.summary).toContain('is not installed in `dev`: nothing to uninstall');
  });

  it("a no-op change diffs empty against what the cluster runs: the render is at the cluster's Kubernetes version (issue 19 #16)", async () => {
    workspace.write('staging', { env: environmentConfig('staging'), release });
    // What the cluster runs: the same release rendered by helm against a 1.32 API server.
    const deployed = execFileSync(
      toolPath('helm'),
      [
        'template',
        'movies',
        path.join(workspace.root, 'chart'),
        '--namespace',
        'movies',
        '--skip-tests',
        '--kube-version',
        '1.32.4',
        '-f',
        path.join(workspace.root, 'environments', 'staging', 'values.yaml'),
        '--set',
        `global.imageRegistry=${REGISTRY}`,
        ...Object.entries(release.services).flatMap(([service, image]) => [
          '--set-string',
          `services.${service}.image.tag=${image.tag}`,
          '--set-string',
          `services.${service}.image.digest=${image.digest}`,
        ]),
      ],
      { encoding: 'utf8' },
    );
    expect(deployed).toMatch(/preStop:\n\s+sleep:/);
    writeStandIns(bin, { realHelm: toolPath('helm'), deployedManifest: deployed });
    const result = await run({ command: 'diff', environment: 'staging', kubeconfig: '/tmp/k' });
    expect(result.errors).toEqual([]);
    expect(result.summary).not.toContain('Manifest diff');
    expect(result.outputs['has-changes']).toBe('false');
    expect(result.summary).toContain(
      'No changes to the rendered manifests (compared with deployed release `movies`)',
    );
  });

  describe('diff (real helm)', () => {
    beforeAll(() => {
      github.openPullRequest(OWNER, REPO, { number: 12 });
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
