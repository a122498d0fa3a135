import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ACTIONS_BOT,
  distDifference,
  runBundledAction,
  startFakeGitHub,
  type FakeGitHub,
} from '@movies/actions-lib/testing';

import { GITHUB_CALLS } from './github-calls';

const actionDir = path.resolve(__dirname, '..');
const OWNER = 'movies-org';
const REPO = 'movies-gitops';

jest.setTimeout(60_000);

describe('actions/drift as the runner runs it', () => {
  let github: FakeGitHub;
  let temp: string;

  beforeEach(async () => {
    github = await startFakeGitHub();
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
    // Noise the action must not touch: another environment's issue and a pull request.
    const state = github.repository(OWNER, REPO);
    state.issues.set(1, {
      number: 1,
      title: 'Drift in dev',
      body: '<!-- movies-gitops:drift=dev -->',
      state: 'open',
      state_reason: null,
      labels: ['drift'],
      user: ACTIONS_BOT,
    });
    github.openPullRequest(OWNER, REPO, { number: 2, labels: ['drift'] }).body =
      '<!-- movies-gitops:drift=prod -->';
  });

  afterEach(async () => {
    await github.stop();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  const drift = (inputs: Record<string, string>) =>
    runBundledAction({
      actionDir,
      eventName: 'schedule',
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: temp,
      inputs: {
        environment: 'prod',
        'github-token': github.tokenFor(GITHUB_CALLS),
        ...inputs,
      },
    });

  it('committed dist/ equals a fresh bundle', () => {
    expect(distDifference(actionDir)).toBeNull();
  });

  it('opens one issue for a drifted environment, updates it on the next run, closes it when clean', async () => {
    const planPath = path.join(temp, 'plan.md');
    fs.writeFileSync(planPath, '~ aws_security_group.nodes: ingress changed');
    const first = await drift({
      outcome: 'success',
      changes: 'true',
      'to-add': '0',
      'to-change': '1',
      'to-destroy': '0',
      'plan-path': planPath,
    });
    expect(first.errors).toEqual([]);
    expect(first.outputs).toMatchObject({ action: 'opened', 'issue-number': '3' });
    const state = github.repository(OWNER, REPO);
    const issue = state.issues.get(3)!;
    expect(issue).toMatchObject({ title: 'Drift in prod', labels: ['drift'], state: 'open' });
    expect(issue.user.login).toBe('github-actions[bot]');
    expect(issue.body).toContain('<!-- movies-gitops:drift=prod -->');
    expect(issue.body).toContain('change 1');
    expect(issue.body).toContain('aws_security_group.nodes');
    // The way back it names exists: the apply workflow's recovery path, not a Helm-only redeploy.
    expect(issue.body).toContain('Actions → *apply* → *Run workflow* with environment `prod`');

    const second = await drift({ outcome: 'failure', 'failure-reason': 'state-locked' });
    expect(second.outputs).toMatchObject({ action: 'updated', 'issue-number': '3' });
    expect([...state.issues.values()].filter((i) => i.body.includes('drift=prod'))).toHaveLength(1);
    expect(issue.body).toContain('failure: state-locked');

    const third = await drift({ outcome: 'success', changes: 'false' });
    expect(third.outputs).toMatchObject({ action: 'closed', 'issue-number': '3' });
    expect(issue.state).toBe('closed');
    expect(github.comments(OWNER, REPO, 3)[0]!.body).toContain('matches the repository again');
    expect(state.issues.get(1)!.state).toBe('open');
    expect(state.pulls.get(2)!.state).toBe('open');
  });

  it('does nothing for a clean environment without an issue', async () => {
    const result = await drift({ outcome: 'success', changes: 'false' });
    expect(result.outputs).toMatchObject({ action: 'none', 'issue-number': '' });
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('fails on a changes value that is not a boolean, naming it', async () => {
    const result = await drift({ outcome: 'success', changes: 'yes' });
    expect(result.errors).toEqual(['input changes must be "true", "false" or empty, got "yes"']);
  });
});
