import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import {
  distDifference,
  forRepository,
  recordDeployment,
  runBundledAction,
  startFakeGitHub,
  webhookExample,
  type FakeGitHub,
} from '@movies/actions-lib/testing';
import { GITHUB_CALLS } from './github-calls';
import type { Mode } from './main';

const actionDir = path.resolve(__dirname, '..');

// Each test runs the bundled action as a child process (1-3 s each on a busy machine).
jest.setTimeout(60_000);
const OWNER = 'movies-org';
const REPO = 'movies-gitops';

describe('environments action (bundled, run as the runner does)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(() => github.stop());

  const run = (options: {
    eventName: string;
    event?: Record<string, unknown>;
    inputs?: Record<string, string>;
    workspace?: string;
    env?: Record<string, string>;
  }) => {
    const mode = (options.inputs?.mode ?? 'affected') as Mode;
    return runBundledAction({
      actionDir,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: options.workspace ?? repoRoot,
      eventName: options.eventName,
      event: options.event,
      ...(options.env ? { env: options.env } : {}),
      inputs: {
        'github-token': github.tokenFor(GITHUB_CALLS[mode] ?? []),
        mode: 'affected',
        ...options.inputs,
      },
    });
  };

  it('pull_request: lists every page of the PR files from the API', async () => {
    const event = forRepository(webhookExample('pull_request', 'opened'), OWNER, REPO);
    const number = (event.pull_request as { number: number }).number;
    const files = [
      ...Array.from({ length: 140 }, (_, i) => `docs/page-${i}.md`),
      'environments/staging/values.yaml',
    ];
    github.setPullFiles(OWNER, REPO, number, files);
    const result = await run({ eventName: 'pull_request', event });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({
      matrix: '{"environment":["staging"]}',
      environments: '["staging"]',
      any: 'true',
      infrastructure: 'false',
      release: 'true',
    });
    const listCalls = github.requests.filter(
      (r) => r.path === `/repos/${OWNER}/${REPO}/pulls/${number}/files`,
    );
    expect(listCalls.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(listCalls.every((r) => r.status === 200)).toBe(true);
    expect(result.summary).toContain(
      '| `staging` | yes | release | `environments/staging/values.yaml` |',
    );
  });

  it('pull_request synchronize touching the chart affects every environment', async () => {
    const event = forRepository(webhookExample('pull_request', 'synchronize'), OWNER, REPO);
    const number = (event.pull_request as { number: number }).number;
    github.setPullFiles(OWNER, REPO, number, ['chart/templates/hpa.yaml', 'chart/README.md']);
    const result = await run({ eventName: 'pull_request', event });
    expect(result.outputs.environments).toBe('["dev","staging","prod"]');
  });

  /**
   * The package's push examples all create or delete a ref (one side is the zero sha); a push to
   * an existing main moves it from one commit to another, so `before` is set to a parent commit.
   */
  const pushToMain = () => {
    const event = forRepository(
      webhookExample('push', undefined, (p) => p.ref === 'refs/heads/master'),
      OWNER,
      REPO,
    ) as Record<string, unknown> & {
      before: string;
      after: string;
    };
    return Object.assign(event, { ref: 'refs/heads/main', created: false, before: 'a'.repeat(40) });
  };

  it('push: compares before...after', async () => {
    const event = pushToMain();
    github.setCompareFiles(OWNER, REPO, event.before, event.after, [
      'environments/prod/env.yaml',
      'environments/dev/release.yaml',
    ]);
    const result = await run({ eventName: 'push', event });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.environments).toBe('["dev","prod"]');
    expect(
      github.requests.some(
        (r) => r.path === `/repos/${OWNER}/${REPO}/compare/${event.before}...${event.after}`,
      ),
    ).toBe(true);
  });

  it('push of docs only: nothing is affected', async () => {
    const event = pushToMain();
    event.after = 'f'.repeat(40);
    github.setCompareFiles(OWNER, REPO, event.before, event.after, [
      'README.md',
      'docs/runbook.md',
    ]);
    const result = await run({ eventName: 'push', event });
    expect(result.outputs).toEqual({
      matrix: '{"environment":[]}',
      environments: '[]',
      any: 'false',
      infrastructure: 'false',
      release: 'false',
    });
  });

  it('push creating a branch (unchanged example payload): every environment', async () => {
    const event = forRepository(
      webhookExample('push', undefined, (p) => p.ref === 'refs/heads/master'),
      OWNER,
      REPO,
    );
    const result = await run({ eventName: 'push', event });
    expect(result.outputs.environments).toBe('["dev","staging","prod"]');
    expect(result.summary).toContain('the push created a branch');
  });

  it('workflow_dispatch has no diff: every environment', async () => {
    const before = github.requests.length;
    const event = forRepository(webhookExample('workflow_dispatch'), OWNER, REPO);
    const result = await run({ eventName: 'workflow_dispatch', event });
    expect(result.outputs.environments).toBe('["dev","staging","prod"]');
    expect(result.summary).toContain('a workflow_dispatch event has no diff');
    expect(github.requests.length).toBe(before);
  });

  it('the changed-files input replaces the API', async () => {
    const before = github.requests.length;
    const result = await run({
      eventName: 'schedule',
      inputs: { 'changed-files': 'environments/dev/values.yaml\n\nterraform/README.md\n' },
    });
    expect(result.outputs.environments).toBe('["dev"]');
    expect(github.requests.length).toBe(before);
  });

  it('mode one outputs the named environment and rejects an unknown one', async () => {
    const one = await run({
      eventName: 'workflow_dispatch',
      inputs: { mode: 'one', environment: 'prod' },
    });
    expect(one.outputs.matrix).toBe('{"environment":["prod"]}');
    const unknown = await run({
      eventName: 'workflow_dispatch',
      inputs: { mode: 'one', environment: 'qa' },
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.errors).toEqual(['input environment "qa" is not one of dev, staging, prod']);
    const noEnvironment = await run({ eventName: 'push', inputs: { mode: 'deploy' } });
    expect(noEnvironment.errors).toEqual([
      'input environment is required when mode is "one" or "deploy"',
    ]);
    const all = await run({ eventName: 'push', inputs: { mode: 'all' } });
    expect(all.outputs.environments).toBe('["dev","staging","prod"]');
  });

  describe('deploy: what the environment needs since its last successful deployment', () => {
    /** A deployment of `environment` at `sha` with these statuses, as the helm action records them. */
    const deployment = (environment: string, sha: string, states: string[]) =>
      recordDeployment(github, { owner: OWNER, repo: REPO, environment, sha, states });
    const deployAt = (sha: string, environment = 'dev') =>
      run({ eventName: 'push', inputs: { mode: 'deploy', environment }, env: { GITHUB_SHA: sha } });

    it('before the first deployment: everything', async () => {
      const state = github.repository(OWNER, REPO);
      const result = await deployAt(state.commitOn('main', ['README.md'], 'docs'), 'prod');
      expect(result.errors).toEqual([]);
      expect(result.outputs).toMatchObject({
        environments: '["prod"]',
        infrastructure: 'true',
        release: 'true',
        since: '',
      });
    });

    it('includes the changes of runs that were cancelled while pending (defect 3)', async () => {
      const state = github.repository(OWNER, REPO);
      const deployed = state.commitOn('main', ['environments/staging/values.yaml'], 'deployed');
      await deployment('staging', deployed, ['in_progress', 'success']);
      // A merge changed staging's infrastructure; its deploy waited and was cancelled by the
      // next run (GitHub keeps one pending run per group), which only changes the release.
      state.commitOn('main', ['environments/staging/env.yaml'], 'merge #1: infrastructure');
      const head = state.commitOn(
        'main',
        ['environments/staging/release.yaml'],
        'merge #2: release',
      );
      const result = await deployAt(head, 'staging');
      expect(result.errors).toEqual([]);
      expect(result.outputs).toMatchObject({
        environments: '["staging"]',
        infrastructure: 'true',
        release: 'true',
        since: deployed,
      });
      // Once that deploy succeeded, the next commit's release-only change is Helm only.
      await deployment('staging', head, ['success']);
      const next = state.commitOn('main', ['environments/staging/release.yaml'], 'merge #3');
      expect((await deployAt(next, 'staging')).outputs).toMatchObject({
        infrastructure: 'false',
        release: 'true',
        since: head,
      });
    });

    it('a superseded (inactive) deployment still counts; a failed one does not', async () => {
      const state = github.repository(OWNER, REPO);
      const good = state.commitOn('main', ['environments/prod/values.yaml'], 'good');
      await deployment('prod', good, ['success', 'inactive']);
      const bad = state.commitOn('main', ['terraform/modules/network/main.tf'], 'bad');
      await deployment('prod', bad, ['in_progress', 'failure']);
      const head = state.commitOn('main', ['README.md'], 'docs');
      const result = await deployAt(head, 'prod');
      expect(result.outputs).toMatchObject({
        since: good,
        infrastructure: 'true',
        release: 'false',
      });
      await deployment('prod', head, ['success']);
      expect((await deployAt(head, 'prod')).outputs).toMatchObject({
        environments: '[]',
        infrastructure: 'false',
        release: 'false',
      });
    });
  });

  it('fails listing every validation error of every environment', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'environments-action-'));
    try {
      fs.cpSync(path.join(repoRoot, 'environments'), path.join(workspace, 'environments'), {
        recursive: true,
      });
      const devFile = path.join(workspace, 'environments/dev/env.yaml');
      fs.writeFileSync(
        devFile,
        fs.readFileSync(devFile, 'utf8').replace('az_count: 2', 'az_count: 6'),
      );
      const prodFile = path.join(workspace, 'environments/prod/env.yaml');
      fs.writeFileSync(
        prodFile,
        fs.readFileSync(prodFile, 'utf8').replace('from: staging', 'from: null'),
      );
      const result = await run({
        eventName: 'workflow_dispatch',
        workspace,
        inputs: { mode: 'all' },
      });
      expect(result.exitCode).toBe(1);
      expect(result.outputs).toEqual({});
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]!.split('\n')).toEqual([
        '2 environment errors:',
        '  - environments/dev/env.yaml: /network/az_count must be <= 5',
        '  - environments/prod/env.yaml: /promotion/from is required for prod: it must be "staging"',
      ]);
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('the committed dist/index.js is a fresh bundle of src/', () => {
    expect(distDifference(actionDir)).toBeNull();
  });
});
