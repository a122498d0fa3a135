import fs from 'node:fs';
import path from 'node:path';
import {
  distDifference,
  forRepository,
  runBundledAction,
  startFakeGitHub,
  webhookExample,
  type FakeGitHub,
  type FakeRepository,
} from '@movies/actions-lib/testing';
import { parseDocument } from 'yaml';
import { seedDeployment } from './__fixtures__/github-state';
import { GITHUB_CALLS } from './github-calls';
import type { PromoteCommand } from './main';
import { startFakeEcr, type FakeEcr } from './__fixtures__/fake-ecr';
import { promotionWorkspace } from './__fixtures__/workspace';
import { renderRelease, type ReleaseImages } from './release';
import { digest, sha } from './__fixtures__/images';

const actionDir = path.resolve(__dirname, '..');
const OWNER = 'movies-org';
const REPO = 'movies-gitops';
const PR = 7;
const HEAD = '5'.repeat(40);

const DEV: ReleaseImages = {
  auth: { tag: sha('a'), digest: digest('a') },
  data: { tag: sha('a'), digest: digest('b') },
  recommendation: { tag: sha('a'), digest: digest('c') },
  web: { tag: sha('a'), digest: digest('d') },
};
const OLD: ReleaseImages = Object.fromEntries(
  Object.keys(DEV).map((service, i) => [service, { tag: sha('9'), digest: digest(String(i)) }]),
);
const inEcr = (images: ReleaseImages): string[] =>
  Object.entries(images).map(([s, i]) => `movies/${s}@${i.digest}`);

/** A real pull_request webhook payload for our repository, PR and labels. */
function pullRequestEvent(
  action: 'labeled' | 'unlabeled' | 'synchronize',
  labels: string[],
  changed?: string,
): Record<string, unknown> {
  const payload = forRepository(webhookExample('pull_request', action), OWNER, REPO);
  const pr = payload.pull_request as {
    number: number;
    labels: Array<Record<string, unknown>>;
    head: { sha: string; repo: { full_name: string } };
    base: { repo: { full_name: string } };
  };
  const labelShape = (name: string): Record<string, unknown> => ({
    ...(pr.labels[0] ?? {}),
    name,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/labels/${name}`,
  });
  payload.number = PR;
  pr.number = PR;
  pr.labels = labels.map(labelShape);
  pr.head.sha = HEAD;
  pr.head.repo.full_name = `${OWNER}/${REPO}`;
  pr.base.repo.full_name = `${OWNER}/${REPO}`;
  if (changed) payload.label = labelShape(changed);
  return payload;
}

// Each case starts the bundled action (a 3 MB script) once or twice: seconds on a busy machine.
jest.setTimeout(60_000);

describe('actions/promote as the runner runs it', () => {
  let github: FakeGitHub;
  let ecr: FakeEcr;
  let state: FakeRepository;
  const workspaces: string[] = [];

  function workspace(staging: ReleaseImages, prod: ReleaseImages = OLD): string {
    const dir = promotionWorkspace({ dev: DEV, staging, prod });
    workspaces.push(dir);
    return dir;
  }

  /**
   * Runs the gate as promote.yml does: the workspace is the base commit's checkout (staging
   * still on OLD); the pull request's staging release.yaml (`prRelease`, or raw text) is served
   * by the API at the head commit.
   */
  async function gate(event: Record<string, unknown>, prRelease: ReleaseImages | string) {
    const text =
      typeof prRelease === 'string' ? prRelease : renderRelease(prRelease, 'pull request');
    state.addCommit({
      parents: [state.branches.get('main')!],
      files: { 'environments/staging/release.yaml': text },
      message: 'pull request head',
      sha: HEAD,
    });
    return runBundledAction({
      actionDir,
      eventName: 'pull_request',
      event,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: workspace(OLD),
      inputs: { command: 'gate', 'github-token': github.tokenFor(GITHUB_CALLS.gate) },
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'test-secret',
        AWS_ENDPOINT_URL_ECR: ecr.url,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
  }

  /** Runs a command of the bundled action against the fake GitHub API. */
  async function command(
    inputs: Record<string, string>,
    dir: string,
    eventName = 'workflow_dispatch',
    event: Record<string, unknown> = {},
  ) {
    return runBundledAction({
      actionDir,
      eventName,
      event,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: dir,
      inputs: {
        'github-token': github.tokenFor(GITHUB_CALLS[inputs.command as PromoteCommand] ?? []),
        base: 'main',
        ...inputs,
      },
    });
  }

  beforeEach(async () => {
    github = await startFakeGitHub();
    ecr = await startFakeEcr([...inEcr(DEV), ...inEcr(OLD)]);
    state = github.repository(OWNER, REPO);
    // dev: an older healthy deployment superseded by the current one, which succeeded.
    seedDeployment(github, state, {
      id: 11,
      environment: 'dev',
      sha: sha('8'),
      states: ['in_progress', 'success', 'inactive'],
      images: OLD,
    });
    seedDeployment(github, state, {
      id: 12,
      environment: 'dev',
      sha: sha('a'),
      states: ['in_progress', 'success'],
      images: DEV,
    });
    github.openPullRequest(OWNER, REPO, {
      number: PR,
      head: { ref: 'promote-staging-by-hand', sha: HEAD },
    });
    github.setPullFiles(OWNER, REPO, PR, ['environments/staging/release.yaml']);
  });

  afterEach(async () => {
    await github.stop();
    await ecr.stop();
    for (const dir of workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('committed dist/ equals a fresh bundle', () => {
    expect(distDifference(actionDir)).toBeNull();
  });

  it('passes a labeled promotion of what dev runs healthy, sets the status and comments', async () => {
    const result = await gate(
      pullRequestEvent('labeled', ['promote:staging'], 'promote:staging'),
      DEV,
    );
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      result: 'passed',
      target: 'staging',
      source: 'dev',
      reasons: '[]',
    });
    expect(state.statuses).toEqual([
      expect.objectContaining({ sha: HEAD, state: 'success', context: 'promotion-gate' }),
    ]);
    expect(ecr.described.sort()).toEqual(
      inEcr(DEV)
        .map((image) => `111111111111/${image}`)
        .sort(),
    );
    const comments = github.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- movies-gitops:env=staging -->');
    expect(comments[0]!.body).toContain('promotion dev → staging verified');
    expect(result.summary).toContain('deployment 12');
  });

  it('fails a promotion that also touches another file, with the reason', async () => {
    github.setPullFiles(OWNER, REPO, PR, [
      'environments/staging/release.yaml',
      'chart/values.yaml',
    ]);
    const result = await gate(
      pullRequestEvent('labeled', ['promote:staging'], 'promote:staging'),
      DEV,
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(
      'the pull request also changes chart/values.yaml: a promotion changes only environments/staging/release.yaml',
    );
    expect(state.statuses.at(-1)).toMatchObject({ state: 'failure', context: 'promotion-gate' });
    expect(result.outputs.result).toBe('failed');
  });

  it('fails a wrong label: promote:prod on a change to staging', async () => {
    const result = await gate(pullRequestEvent('labeled', ['promote:prod'], 'promote:prod'), DEV);
    expect(result.exitCode).not.toBe(0);
    const message = result.errors.join('\n');
    expect(message).toContain('the pull request does not change environments/prod/release.yaml');
    expect(message).toContain('the pull request also changes environments/staging/release.yaml');
  });

  it('fails an image that is not what the source runs with a successful deployment', async () => {
    // dev's newest deployment of a new web image failed: the healthy one still runs the old web.
    const newWeb = { tag: sha('b'), digest: digest('e') };
    seedDeployment(github, state, {
      id: 13,
      environment: 'dev',
      sha: sha('b'),
      states: ['in_progress', 'failure'],
      images: { ...DEV, web: newWeb },
    });
    const result = await gate(pullRequestEvent('labeled', ['promote:staging'], 'promote:staging'), {
      ...DEV,
      web: newWeb,
    });
    expect(result.exitCode).not.toBe(0);
    const message = result.errors.join('\n');
    expect(message).toContain(
      `web: ${digest('e')} is not what dev runs healthy (deployment 12 runs ${digest('d')})`,
    );
    expect(message).toContain(`web: ${digest('e')} is not in the registry repository movies/web`);
    expect(result.summary).toContain('13 (failure)');
  });

  it('resets to failure when the label is removed from a pull request that edits a promoted release', async () => {
    const result = await gate(pullRequestEvent('unlabeled', [], 'promote:staging'), DEV);
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(
      'environments/staging/release.yaml changes only through a promotion: add the label promote:staging',
    );
    expect(state.statuses).toEqual([expect.objectContaining({ sha: HEAD, state: 'failure' })]);
  });

  it('re-evaluates on synchronize: a pushed commit that adds a file blocks the promotion', async () => {
    const dir = DEV;
    expect((await gate(pullRequestEvent('synchronize', ['promote:staging']), dir)).exitCode).toBe(
      0,
    );
    github.setPullFiles(OWNER, REPO, PR, [
      'environments/staging/release.yaml',
      'terraform/environment/main.tf',
    ]);
    const second = await gate(pullRequestEvent('synchronize', ['promote:staging']), dir);
    expect(second.exitCode).not.toBe(0);
    expect(state.statuses.map((s) => s.state)).toEqual(['success', 'failure']);
  });

  it('validates the release.yaml of the pull request head, not of the checkout', async () => {
    const result = await gate(
      pullRequestEvent('labeled', ['promote:staging'], 'promote:staging'),
      'services:\n  auth: { tag: "main", digest: "sha256:abc" }\n',
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain('staging cannot be loaded');
    expect(result.errors.join('\n')).toContain('environments/staging/release.yaml');
  });

  it('judges a fork pull request by the job alone (its token cannot set statuses)', async () => {
    const event = pullRequestEvent('synchronize', []);
    (event.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name =
      'someone/fork';
    github.setPullFiles(OWNER, REPO, PR, ['services/web/src/app.ts']);
    const result = await gate(event, OLD);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.result).toBe('not-a-promotion');
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    const labelled = pullRequestEvent('labeled', ['promote:staging'], 'promote:staging');
    (labelled.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name =
      'someone/fork';
    github.setPullFiles(OWNER, REPO, PR, ['environments/staging/release.yaml']);
    const blocked = await gate(labelled, DEV);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.errors.join('\n')).toContain('the pull request comes from a fork');
  });

  it('passes an ordinary pull request without touching ECR or commenting', async () => {
    github.setPullFiles(OWNER, REPO, PR, ['services/web/src/app.ts']);
    const result = await gate(pullRequestEvent('synchronize', []), OLD);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.result).toBe('not-a-promotion');
    expect(ecr.described).toEqual([]);
    expect(github.comments(OWNER, REPO, PR)).toEqual([]);
  });

  it('open-pr writes the healthy source images into the target release and opens a labelled pull request', async () => {
    state.commitOn('main', { 'environments/staging/release.yaml': renderRelease(OLD, 'old') });
    const result = await command(
      { command: 'open-pr', target: 'staging' },
      workspace(OLD),
      'workflow_dispatch',
      {
        inputs: { target: 'staging' },
      },
    );
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const opened = [...state.pulls.values()].filter((p) => p.number !== PR);
    expect(opened).toHaveLength(1);
    const pull = opened[0]!;
    expect(pull).toMatchObject({
      head: { ref: 'promote/staging/12' },
      base: { ref: 'main' },
      labels: ['promote:staging'],
      user: { login: 'github-actions[bot]' },
    });
    expect(pull.body).toContain('deployment: 12');
    for (const image of Object.values(DEV)) expect(pull.body).toContain(image.digest);
    const written = state
      .resolve('promote/staging/12')!
      .tree.get('environments/staging/release.yaml')!;
    expect(parseDocument(written).toJS()).toEqual({ services: DEV });
    expect(result.outputs['pull-request-number']).toBe(String(pull.number));
  });

  it('open-pr opens nothing when the target already runs the source images', async () => {
    const result = await command({ command: 'open-pr', target: 'staging' }, workspace(DEV));
    expect(result.exitCode).toBe(0);
    expect([...state.pulls.keys()]).toEqual([PR]);
    expect(result.outputs['pull-request-number']).toBeUndefined();
  });

  describe('verify-release: the gate again at merge time (defect 10)', () => {
    const verify = (staging: ReleaseImages) =>
      runBundledAction({
        actionDir,
        eventName: 'push',
        repository: `${OWNER}/${REPO}`,
        apiUrl: github.url,
        workspace: workspace(staging),
        inputs: {
          command: 'verify-release',
          environment: 'staging',
          'github-token': github.tokenFor(GITHUB_CALLS['verify-release']),
        },
        env: {
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'test-secret',
          AWS_ENDPOINT_URL_ECR: ecr.url,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      });

    it('passes images dev ran healthy, even after dev moved on', async () => {
      // dev deployed newer images after the promotion pull request was approved.
      seedDeployment(github, state, {
        id: 14,
        environment: 'dev',
        sha: sha('c'),
        states: ['in_progress', 'success'],
        images: OLD,
      });
      const result = await verify(DEV);
      expect(result.errors).toEqual([]);
      expect(result.summary).toContain('verified at merge time');
    });

    it('refuses images whose only dev deployment failed, or that left ECR, before anything deploys', async () => {
      const newWeb = { tag: sha('b'), digest: digest('e') };
      seedDeployment(github, state, {
        id: 15,
        environment: 'dev',
        sha: sha('b'),
        states: ['in_progress', 'failure'],
        images: { ...DEV, web: newWeb },
      });
      const result = await verify({ ...DEV, web: newWeb });
      expect(result.exitCode).toBe(1);
      const message = result.errors.join('\n');
      expect(message).toContain('does not pass the promotion gate any more (nothing was deployed)');
      expect(message).toMatch(
        new RegExp(`web: ${digest('e')} \\(tag b{12}\\) never ran in a successful dev deployment`),
      );
      expect(message).toContain(`web: ${digest('e')} is not in the registry repository movies/web`);
    });

    it('has nothing to verify for the environment that follows main', async () => {
      const result = await runBundledAction({
        actionDir,
        eventName: 'push',
        repository: `${OWNER}/${REPO}`,
        apiUrl: github.url,
        workspace: workspace(DEV),
        inputs: {
          command: 'verify-release',
          environment: 'dev',
          'github-token': github.tokenFor([]),
        },
      });
      expect(result.errors).toEqual([]);
      expect(result.stdout).toContain('dev follows main');
    });
  });

  it('fails an unknown command with the accepted ones', async () => {
    const result = await runBundledAction({
      actionDir,
      inputs: { command: 'ship-it', 'github-token': github.tokenFor([]) },
      apiUrl: github.url,
    });
    expect(result.errors).toEqual([
      'input command must be one of gate, open-pr, verify-release (got "ship-it")',
    ]);
  });
});
