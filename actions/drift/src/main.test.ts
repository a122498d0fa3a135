import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  distDifference,
  runBundledAction,
  startFakeGitHub,
  type FakeGitHub,
} from '@movies/actions-lib/testing';

const actionDir = path.resolve(__dirname, '..');
const OWNER = 'movies-org';
const REPO = 'movies-gitops';

interface Issue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: string[];
  pull_request?: object;
}

jest.setTimeout(60_000);

describe('actions/drift as the runner runs it', () => {
  let github: FakeGitHub;
  let issues: Issue[];
  let temp: string;

  beforeEach(async () => {
    github = await startFakeGitHub();
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
    issues = [
      // Noise the action must not touch: another environment's issue and a pull request.
      {
        number: 1,
        title: 'Drift in dev',
        body: '<!-- movies-gitops:drift=dev -->',
        state: 'open',
        labels: ['drift'],
      },
      {
        number: 2,
        title: 'PR',
        body: '<!-- movies-gitops:drift=prod -->',
        state: 'open',
        labels: ['drift'],
        pull_request: {},
      },
    ];
    const shape = (issue: Issue) => ({ ...issue, labels: issue.labels.map((name) => ({ name })) });
    github.route('GET', /^\/repos\/[^/]+\/[^/]+\/issues$/, (req) => ({
      body: issues
        .filter(
          (i) =>
            i.state === req.query.state &&
            (!req.query.labels || i.labels.includes(req.query.labels)),
        )
        .map(shape),
    }));
    github.route('POST', /^\/repos\/[^/]+\/[^/]+\/issues$/, (req) => {
      const body = req.body as { title: string; body: string; labels: string[] };
      const issue = { number: 100 + issues.length, state: 'open', ...body };
      issues.push(issue);
      return { status: 201, body: shape(issue) };
    });
    github.route('PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(?<number>\d+)$/, (req) => {
      const issue = issues.find((i) => i.number === Number(req.params.number));
      if (!issue) return { status: 404, body: { message: 'Not Found' } };
      const patch = req.body as Partial<Issue>;
      for (const key of ['title', 'body', 'state'] as const)
        if (patch[key] !== undefined) issue[key] = patch[key]!;
      return { body: shape(issue) };
    });
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
      inputs: { environment: 'prod', 'github-token': 'test-token', ...inputs },
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
    expect(first.outputs).toMatchObject({ action: 'opened', 'issue-number': '102' });
    const issue = issues.find((i) => i.number === 102)!;
    expect(issue).toMatchObject({ title: 'Drift in prod', labels: ['drift'], state: 'open' });
    expect(issue.body).toContain('<!-- movies-gitops:drift=prod -->');
    expect(issue.body).toContain('change 1');
    expect(issue.body).toContain('aws_security_group.nodes');

    const second = await drift({ outcome: 'failure', 'failure-reason': 'state-locked' });
    expect(second.outputs).toMatchObject({ action: 'updated', 'issue-number': '102' });
    expect(issues.filter((i) => i.body.includes('drift=prod') && !i.pull_request)).toHaveLength(1);
    expect(issue.body).toContain('failure: state-locked');

    const third = await drift({ outcome: 'success', changes: 'false' });
    expect(third.outputs).toMatchObject({ action: 'closed', 'issue-number': '102' });
    expect(issue.state).toBe('closed');
    expect(github.comments(OWNER, REPO, 102)[0]!.body).toContain('matches the repository again');
    expect(issues.find((i) => i.number === 1)!.state).toBe('open');
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
