import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseSections,
  readRecord,
  reviewCheckName,
  upsertCommentSection,
} from '@movies/actions-lib';
import {
  distDifference,
  forRepository,
  runBundledAction,
  startFakeGitHub,
  webhookExample,
  type FakeGitHub,
  type FakePull,
} from '@movies/actions-lib/testing';
import { GITHUB_CALLS } from './github-calls';
import { manifestHash, type ReviewCommand } from './main';

const actionDir = path.resolve(__dirname, '..');
const OWNER = 'movies-org';
const REPO = 'movies-gitops';
const T = 'a'.repeat(64);
const H = 'c'.repeat(64);

jest.setTimeout(60_000);

describe('actions/review as the runner runs it', () => {
  let github: FakeGitHub;
  let temp: string;
  let manifest: string;
  beforeEach(async () => {
    github = await startFakeGitHub();
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    manifest = path.join(temp, 'dev.movies.k8s.local.yaml');
    fs.writeFileSync(manifest, 'kind: Cluster\nmetadata: { name: dev.movies.k8s.local }\n');
  });
  afterEach(async () => {
    await github.stop();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  const pullEvent = (pull: FakePull) => {
    const event = forRepository(webhookExample('pull_request', 'synchronize'), OWNER, REPO);
    const payload = event.pull_request as {
      number: number;
      head: { sha: string };
      base: { sha: string; ref: string };
    };
    Object.assign(payload, { number: pull.number });
    payload.head.sha = pull.head.sha;
    payload.base.sha = pull.base.sha;
    payload.base.ref = 'main';
    return event;
  };

  const run = (
    command: ReviewCommand,
    inputs: Record<string, string>,
    extra: { eventName?: string; event?: Record<string, unknown>; sha?: string } = {},
  ) =>
    runBundledAction({
      actionDir,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: temp,
      eventName: extra.eventName ?? 'pull_request',
      event: extra.event,
      inputs: { command, 'github-token': github.tokenFor(GITHUB_CALLS[command]), ...inputs },
      ...(extra.sha ? { env: { GITHUB_SHA: extra.sha } } : {}),
    });

  const record = (pull: FakePull, inputs: Record<string, string> = {}) =>
    run(
      'record',
      {
        environment: 'dev',
        'terraform-hash': T,
        'kops-manifest': manifest,
        'helm-hash': H,
        ...inputs,
      },
      { event: pullEvent(pull) },
    );

  it('record writes the planned commit into the comment and a check run of the Actions app', async () => {
    const pull = github.openPullRequest(OWNER, REPO, { files: ['environments/dev/env.yaml'] });
    const result = await record(pull);
    expect(result.errors).toEqual([]);
    const expected = {
      environment: 'dev',
      head: pull.head.sha,
      base: pull.base.sha,
      terraform: T,
      kops: manifestHash(manifest),
      helm: H,
    };
    expect(JSON.parse(result.outputs.record!)).toEqual(expected);
    const [comment] = github.comments(OWNER, REPO, pull.number);
    const section = parseSections(comment!.body).get('review')!;
    expect(readRecord(section, 'dev')).toEqual(expected);
    expect(section).toContain(
      `Planned commit \`${pull.head.sha.slice(0, 12)}\` (the pull request's head)`,
    );
    const runs = github.repository(OWNER, REPO).checkRuns;
    expect(runs).toEqual([
      expect.objectContaining({
        name: reviewCheckName('dev'),
        head_sha: pull.head.sha,
        conclusion: 'success',
        app: 'github-actions',
      }),
    ]);
  });

  it('record of a failed plan fails the check run, so nothing can be applied from it', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    const result = await record(pull, { outcome: 'failure' });
    expect(result.errors).toEqual([]);
    expect(github.repository(OWNER, REPO).checkRuns[0]!.conclusion).toBe('failure');
    expect(github.comments(OWNER, REPO, pull.number)[0]!.body).toContain(
      'nothing can be applied from this review',
    );
  });

  it('verify accepts the kOps spec a merged pull request showed and refuses another (defect 6)', async () => {
    const pull = github.openPullRequest(OWNER, REPO, { files: ['environments/dev/env.yaml'] });
    // The terraform action's section of the same comment (the plan job's first step).
    await upsertCommentSection({
      octokit: github.client(github.tokenFor(GITHUB_CALLS.record)),
      owner: OWNER,
      repo: REPO,
      issueNumber: pull.number,
      environment: 'dev',
      section: 'terraform',
      body: `### Terraform plan for \`dev\`\n\n<!-- plan-hash:${T} -->`,
    });
    expect((await record(pull)).errors).toEqual([]);
    const merged = github.mergePullRequest(OWNER, REPO, pull.number);
    const same = await run(
      'verify',
      { environment: 'dev', 'kops-manifest': manifest },
      { eventName: 'push', sha: merged },
    );
    expect(same.errors).toEqual([]);
    expect(same.summary).toContain(`is the one reviewed on #${pull.number}`);

    fs.appendFileSync(manifest, 'spec: { kubernetesVersion: 1.33.0 }\n');
    const changed = await run(
      'verify',
      { environment: 'dev', 'kops-manifest': manifest },
      { eventName: 'push', sha: merged },
    );
    expect(changed.exitCode).toBe(1);
    expect(changed.outputs['failure-reason']).toBe('kops-render-changed');
    expect(changed.errors[0]).toMatch(/is not what was reviewed .* on #\d+\): nothing was applied/);
  });

  it('mark-outdated marks the plans made on an older main, once', async () => {
    const stale = github.openPullRequest(OWNER, REPO, { files: ['environments/dev/values.yaml'] });
    expect((await record(stale)).errors).toEqual([]);
    const state = github.repository(OWNER, REPO);
    const moved = state.commitOn('main', ['terraform/modules/network/main.tf'], 'another merge');
    const fresh = github.openPullRequest(OWNER, REPO, { files: ['README.md'] });
    expect((await record(fresh)).errors).toEqual([]);
    const push = forRepository(
      webhookExample('push', undefined, (p) => p.ref === 'refs/heads/master'),
      OWNER,
      REPO,
    );
    Object.assign(push, { ref: 'refs/heads/main', before: stale.base.sha, after: moved });
    const result = await run('mark-outdated', {}, { eventName: 'push', event: push });
    expect(result.errors).toEqual([]);
    expect(JSON.parse(result.outputs.outdated!)).toEqual([stale.number]);
    const section = parseSections(github.comments(OWNER, REPO, stale.number)[0]!.body).get(
      'review',
    )!;
    expect(section).toContain(`**Outdated plan:** \`main\` moved to \`${moved.slice(0, 12)}\``);
    expect(
      parseSections(github.comments(OWNER, REPO, fresh.number)[0]!.body).get('review'),
    ).not.toContain('Outdated');
    // Idempotent: a second run edits nothing.
    const edits = github.requests.filter((r) => r.endpoint === 'issues.updateComment').length;
    await run('mark-outdated', {}, { eventName: 'push', event: push });
    expect(github.requests.filter((r) => r.endpoint === 'issues.updateComment')).toHaveLength(
      edits,
    );
  });

  it('refuses bad input, naming it', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    expect((await record(pull, { 'terraform-hash': 'abc' })).errors).toEqual([
      'input terraform-hash must be a sha256 (64 hex), got "abc"',
    ]);
    expect((await run('record', { environment: 'dev' }, { eventName: 'push' })).errors).toEqual([
      'command record runs on pull_request events (got a "push" event)',
    ]);
  });

  it('the committed dist/index.js is a fresh bundle of src/', () => {
    expect(distDifference(actionDir)).toBeNull();
  });
});
