import { Octokit } from '@octokit/rest';
import { ACTIONS_BOT, ConcurrencyGroups, startFakeGitHub, type FakeGitHub } from '.';

const owner = 'movies-org';
const repo = 'movies-gitops';

/** The tests' client is a plain @octokit/rest, as a script or person would use. */
const client = (github: FakeGitHub, auth: string) =>
  new Octokit({ auth, baseUrl: github.url, request: { retries: 0 } });

async function failure(promise: Promise<unknown>): Promise<{
  status: number;
  data: Record<string, unknown>;
  headers: Record<string, string>;
}> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown; headers: object } })
      .response;
    if (!response) throw error;
    return {
      status: response.status,
      data: response.data as Record<string, unknown>,
      headers: response.headers as Record<string, string>,
    };
  }
  throw new Error('the call succeeded');
}

describe('fake GitHub: what GitHub enforces', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub();
  });
  afterEach(() => github.stop());

  it('refuses tokens it did not issue with 401 Bad credentials', async () => {
    const answer = await failure(
      client(github, 'made-up').rest.issues.listComments({ owner, repo, issue_number: 1 }),
    );
    expect(answer.status).toBe(401);
    expect(answer.data.message).toBe('Bad credentials');
  });

  it("answers a job token without the endpoint's permission as GitHub does (403, accepted permissions)", async () => {
    const pull = github.openPullRequest(owner, repo);
    const comment = github.addComment(owner, repo, pull.number, 'plan');
    const readOnly = client(github, github.token({ 'pull-requests': 'read' }));
    // Reading is allowed, editing is not.
    await readOnly.rest.issues.listComments({ owner, repo, issue_number: pull.number });
    const answer = await failure(
      readOnly.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: 'x' }),
    );
    expect(answer.status).toBe(403);
    expect(answer.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
      status: '403',
    });
    expect(answer.headers['x-accepted-github-permissions']).toBe(
      'pull_requests=write; issues=write',
    );
    // A scope not listed in the job's permissions is none.
    const noDeployments = client(github, github.token({ contents: 'read' }));
    expect((await failure(noDeployments.rest.repos.listDeployments({ owner, repo }))).status).toBe(
      403,
    );
    // `tokenFor` grants exactly what the named calls need.
    const minimal = client(github, github.tokenFor(['issues.updateComment']));
    await minimal.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: 'y' });
    expect(github.comments(owner, repo, pull.number)[0]!.body).toBe('y');
  });

  it('records who wrote each comment: the bot for job tokens, the person for user tokens', async () => {
    const pull = github.openPullRequest(owner, repo);
    await client(github, github.tokenFor(['issues.createComment'])).rest.issues.createComment({
      owner,
      repo,
      issue_number: pull.number,
      body: 'from the workflow',
    });
    await client(github, github.userToken('mallory', 'read')).rest.issues.createComment({
      owner,
      repo,
      issue_number: pull.number,
      body: 'from a person',
    });
    const { data } = await client(
      github,
      github.userToken('alice', 'read'),
    ).rest.issues.listComments({
      owner,
      repo,
      issue_number: pull.number,
    });
    expect(data.map((c) => [c.user?.login, c.user?.type, c.body])).toEqual([
      ['github-actions[bot]', 'Bot', 'from the workflow'],
      ['mallory', 'User', 'from a person'],
    ]);
    // Someone with read access cannot edit the bot's comment; a collaborator with write can.
    const refused = await failure(
      client(github, github.userToken('mallory', 'read')).rest.issues.updateComment({
        owner,
        repo,
        comment_id: data[0]!.id,
        body: 'forged',
      }),
    );
    expect(refused.status).toBe(403);
    await client(github, github.userToken('alice', 'write')).rest.issues.updateComment({
      owner,
      repo,
      comment_id: data[0]!.id,
      body: 'edited by alice',
    });
    expect(github.comments(owner, repo, pull.number)[0]!.user.login).toBe('github-actions[bot]');
  });

  it('lets only GitHub Apps create check runs, and names the app', async () => {
    const sha = github.repository(owner, repo).branches.get('main')!;
    const passed = {
      owner,
      repo,
      name: 'plan',
      head_sha: sha,
      status: 'completed' as const,
      conclusion: 'success' as const,
    };
    const person = await failure(
      client(github, github.userToken('alice', 'admin')).rest.checks.create(passed),
    );
    expect(person).toMatchObject({
      status: 403,
      data: { message: 'You must authenticate via a GitHub App.' },
    });
    const bot = client(github, github.tokenFor(['checks.create', 'checks.listForRef']));
    await bot.rest.checks.create(passed);
    const { data } = await bot.rest.checks.listForRef({ owner, repo, ref: sha });
    expect(data.check_runs.map((run) => [run.name, run.app?.slug, run.conclusion])).toEqual([
      ['plan', ACTIONS_BOT.app, 'success'],
    ]);
  });

  it('enforces branch protection: no direct push to main, merges need the required checks', async () => {
    github.protectBranch(owner, repo, 'main', {
      requiredChecks: ['plan'],
      requirePullRequest: true,
    });
    const writer = client(
      github,
      github.tokenFor(['repos.createOrUpdateFileContents', 'pulls.merge', 'checks.create']),
    );
    const push = await failure(
      writer.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: 'environments/dev/release.yaml',
        branch: 'main',
        message: 'bot commit',
        content: Buffer.from('services: {}\n').toString('base64'),
      }),
    );
    expect(push.status).toBe(409);
    expect(push.data.message).toMatch(/Changes must be made through a pull request/);

    const pull = github.openPullRequest(owner, repo, { files: ['terraform/environment/main.tf'] });
    const early = await failure(writer.rest.pulls.merge({ owner, repo, pull_number: pull.number }));
    expect(early).toMatchObject({
      status: 405,
      data: { message: 'Required status check "plan" is expected.' },
    });
    await writer.rest.checks.create({
      owner,
      repo,
      name: 'plan',
      head_sha: pull.head.sha,
      status: 'completed',
      conclusion: 'failure',
    });
    expect(
      (await failure(writer.rest.pulls.merge({ owner, repo, pull_number: pull.number }))).status,
    ).toBe(405);
    await writer.rest.checks.create({
      owner,
      repo,
      name: 'plan',
      head_sha: pull.head.sha,
      status: 'completed',
      conclusion: 'success',
    });
    const { data } = await writer.rest.pulls.merge({ owner, repo, pull_number: pull.number });
    const state = github.repository(owner, repo);
    expect(state.branches.get('main')).toBe(data.sha);
    expect(state.compare(pull.base.sha, data.sha!).files).toEqual([
      'terraform/environment/main.tf',
    ]);
  });

  it('pages lists with the Link header that paginate() follows', async () => {
    const pull = github.openPullRequest(owner, repo);
    for (let i = 0; i < 130; i++) github.addComment(owner, repo, pull.number, `comment ${i}`);
    const octokit = client(github, github.tokenFor(['issues.listComments']));
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: pull.number,
      per_page: 100,
    });
    expect(all).toHaveLength(130);
    expect(github.requests.filter((r) => r.endpoint === 'issues.listComments')).toHaveLength(2);
  });
});

describe('fake GitHub: concurrency groups', () => {
  it('keeps one running and one pending run per group; a newer arrival cancels the pending one', () => {
    const groups = new ConcurrencyGroups<string>();
    const first = groups.enqueue('deploy-dev', 'merge of #1');
    const second = groups.enqueue('deploy-dev', 'merge of #2');
    const third = groups.enqueue('deploy-dev', 'dispatch');
    expect([first.state, second.state, third.state]).toEqual(['running', 'cancelled', 'pending']);
    const other = groups.enqueue('deploy-prod', 'merge of #1');
    expect(other.state).toBe('running');
    expect(groups.complete(first.id)?.data).toBe('dispatch');
    expect(third.state).toBe('running');
  });

  it('cancel-in-progress cancels the running one too', () => {
    const groups = new ConcurrencyGroups<string>();
    const first = groups.enqueue('plan-7', 'push 1');
    const second = groups.enqueue('plan-7', 'push 2', { cancelInProgress: true });
    expect([first.state, second.state]).toEqual(['cancelled', 'running']);
    expect(() => groups.complete(first.id)).toThrow(/only a running run can complete/);
  });
});
