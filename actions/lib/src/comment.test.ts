import { startFakeGitHub, type FakeGitHub } from './testing';
import { githubClient } from './github';
import {
  COMMENT_LIMIT,
  environmentMarker,
  parseSections,
  renderCommentBody,
  upsertCommentSection,
} from './comment';

describe('upsertCommentSection against a fake GitHub API', () => {
  let github: FakeGitHub;
  const saved = process.env.GITHUB_API_URL;
  let token: string;
  beforeEach(async () => {
    github = await startFakeGitHub();
    github.openPullRequest('o', 'r', { number: 5 });
    token = github.tokenFor([
      'issues.listComments',
      'issues.createComment',
      'issues.updateComment',
    ]);
    process.env.GITHUB_API_URL = github.url;
  });
  afterEach(async () => {
    process.env.GITHUB_API_URL = saved;
    await github.stop();
  });

  const upsert = (section: string, body: string, environment = 'dev') =>
    upsertCommentSection({
      octokit: githubClient(token),
      owner: 'o',
      repo: 'r',
      issueNumber: 5,
      environment,
      section,
      body,
    });

  it('creates one comment, then edits only its own section in place', async () => {
    const first = await upsert('terraform', 'plan: 3 to add');
    expect(first.created).toBe(true);
    const second = await upsert('kops', 'cluster: no changes');
    const third = await upsert('terraform', 'plan: 1 to add');
    expect(second).toMatchObject({ created: false, commentId: first.commentId });
    expect(third.commentId).toBe(first.commentId);

    const comments = github.comments('o', 'r', 5);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(environmentMarker('dev'))).toBe(true);
    expect([...parseSections(body)]).toEqual([
      ['terraform', 'plan: 1 to add'],
      ['kops', 'cluster: no changes'],
    ]);
    const patches = github.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual([
      `/repos/o/r/issues/comments/${first.commentId}`,
      `/repos/o/r/issues/comments/${first.commentId}`,
    ]);
    expect(github.requests[0]!.headers.authorization).toBe(`token ${token}`);
  });

  it('keeps one comment per environment and finds its own among many (paginated)', async () => {
    for (let i = 0; i < 130; i++) github.addComment('o', 'r', 5, `review comment ${i}`);
    await upsert('terraform', 'dev plan', 'dev');
    await upsert('terraform', 'prod plan', 'prod');
    await upsert('terraform', 'dev plan v2', 'dev');
    const ours = github.comments('o', 'r', 5).filter((c) => c.body.includes('movies-gitops:env='));
    expect(ours.map((c) => [...parseSections(c.body).values()])).toEqual([
      ['dev plan v2'],
      ['prod plan'],
    ]);
    const listCalls = github.requests.filter(
      (r) => r.method === 'GET' && r.path.endsWith('/comments'),
    );
    expect(listCalls.some((r) => r.query.page === '2')).toBe(true);
  });

  it("never edits someone else's comment that carries our marker: it writes its own", async () => {
    const planted = github.addComment(
      'o',
      'r',
      5,
      renderCommentBody(
        'dev',
        new Map([['terraform', '<!-- plan-hash:' + 'a'.repeat(64) + ' -->']]),
      ),
      'mallory',
    );
    const ours = await upsert('terraform', 'the real plan');
    expect(ours.created).toBe(true);
    const comments = github.comments('o', 'r', 5);
    expect(comments.map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]']);
    expect(comments[0]!.body).toBe(planted.body);
    expect(parseSections(comments[1]!.body).get('terraform')).toBe('the real plan');
  });

  it('does not send an edit when nothing changed', async () => {
    await upsert('helm', 'same');
    await upsert('helm', 'same');
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('truncates the longest section to stay under the limit and keeps the others whole', async () => {
    await upsert('kops', 'small kops section');
    await upsert('terraform', '```diff\n' + '+ resource line\n'.repeat(10_000) + '```');
    const body = github.comments('o', 'r', 5)[0]!.body;
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    const sections = parseSections(body);
    expect(sections.get('kops')).toBe('small kops section');
    expect(sections.get('terraform')).toMatch(/truncated to fit .* job summary/);
    expect((sections.get('terraform')!.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});

describe('renderCommentBody', () => {
  it('orders sections terraform, kops, helm, then others', () => {
    const body = renderCommentBody(
      'staging',
      new Map([
        ['zz', 'z'],
        ['helm', 'h'],
        ['terraform', 't'],
        ['kops', 'k'],
      ]),
    );
    expect([...parseSections(body).keys()]).toEqual(['terraform', 'kops', 'helm', 'zz']);
  });
});
