import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pullRequestNumber, upsertPullRequestSection } from './pull-request-comment';
import { startFakeGitHub, type FakeGitHub } from './testing/fake-github';
import type { EndpointName } from './github-endpoints';

const COMMENT_CALLS: EndpointName[] = [
  'issues.listComments',
  'issues.createComment',
  'issues.updateComment',
];

describe('upsertPullRequestSection', () => {
  let github: FakeGitHub;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.openPullRequest('o', 'r', { number: 3 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pr-comment-'));
  });
  afterAll(async () => {
    await github.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  function event(name: string, payload: object): void {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(payload));
    Object.assign(process.env, {
      GITHUB_EVENT_NAME: name,
      GITHUB_EVENT_PATH: file,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.tokenFor(COMMENT_CALLS),
    });
  }

  it('writes the section on a pull request and edits it in place', async () => {
    event('pull_request', { pull_request: { number: 3 } });
    expect(pullRequestNumber()).toBe(3);
    const first = await upsertPullRequestSection({
      environment: 'dev',
      section: 'kops',
      body: 'one',
    });
    const second = await upsertPullRequestSection({
      environment: 'dev',
      section: 'kops',
      body: 'two',
    });
    expect(first?.created).toBe(true);
    expect(second?.commentId).toBe(first?.commentId);
    const comments = github.comments('o', 'r', 3);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- section:kops -->\ntwo\n<!-- /section:kops -->');
  });

  it('does nothing on other events', async () => {
    event('push', { ref: 'refs/heads/main' });
    const before = github.requests.length;
    await expect(
      upsertPullRequestSection({ environment: 'dev', section: 'kops', body: 'x' }),
    ).resolves.toBeNull();
    expect(github.requests.length).toBe(before);
  });
});
