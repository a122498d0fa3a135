import type { EndpointName } from '../../github-endpoints';
import {
  blobSha,
  userShape,
  type FakeComment,
  type FakeIdentity,
  type FakePull,
  type FakeRepository,
} from './repository';

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallContext {
  endpoint: EndpointName;
  params: Record<string, string>;
  query: Record<string, string>;
  // Request bodies are JSON from the client; each handler checks the fields it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  repo: FakeRepository;
  identity: FakeIdentity;
  /** Whether the token may write through the issues or pull requests scope (edit any comment). */
  canModerate: boolean;
  /** An installation token (a GitHub App); only those may create check runs. */
  isApp: boolean;
  baseUrl: string;
  path: string;
  docs: string;
}

export type Handler = (context: CallContext) => FakeResponse;

export function errorResponse(
  status: number,
  message: string,
  docs: string,
  extra: Record<string, unknown> = {},
): FakeResponse {
  return { status, body: { message, documentation_url: docs, status: String(status), ...extra } };
}

const notFound = (context: CallContext): FakeResponse =>
  errorResponse(404, 'Not Found', context.docs);

const validation = (context: CallContext, message: string): FakeResponse =>
  errorResponse(422, `Validation Failed: ${message}`, context.docs);

/** Slices `items` by `per_page`/`page` and adds the Link header Octokit's paginate() follows. */
export function paginate(
  context: Pick<CallContext, 'query' | 'path' | 'baseUrl'>,
  items: unknown[],
): FakeResponse {
  const perPage = Math.min(Number(context.query.per_page ?? 30) || 30, 100);
  const page = Math.max(Number(context.query.page ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const headers: Record<string, string> = {};
  if (page < lastPage) {
    const next = new URL(context.path, context.baseUrl);
    for (const [key, value] of Object.entries(context.query)) next.searchParams.set(key, value);
    next.searchParams.set('page', String(page + 1));
    next.searchParams.set('per_page', String(perPage));
    const last = new URL(next);
    last.searchParams.set('page', String(lastPage));
    headers.link = `<${next.toString()}>; rel="next", <${last.toString()}>; rel="last"`;
  }
  return { body: items.slice((page - 1) * perPage, page * perPage), headers };
}

function fileEntry(filename: string, index: number): Record<string, unknown> {
  return {
    sha: index.toString(16).padStart(40, '0'),
    filename,
    status: 'modified',
    additions: 1,
    deletions: 0,
    changes: 1,
  };
}

const now = (): string => new Date().toISOString();
const COMMENT_LIMIT = 65_536;

function commentBody(context: CallContext): string | FakeResponse {
  const body = (context.body as { body?: unknown } | null)?.body;
  if (typeof body !== 'string') return validation(context, 'body is required');
  if (body.length > COMMENT_LIMIT)
    return validation(context, 'body is too long (maximum is 65536 characters)');
  return body;
}

export function addComment(
  repo: FakeRepository,
  issueNumber: number,
  body: string,
  author: FakeIdentity,
): FakeComment {
  const id = repo.nextId();
  const comment: FakeComment = {
    id,
    body,
    html_url: `https://github.com/${repo.fullName}/pull/${issueNumber}#issuecomment-${id}`,
    user: { login: author.login, id: author.id, type: author.type },
    created_at: now(),
    updated_at: now(),
  };
  repo.comments.set(issueNumber, [...(repo.comments.get(issueNumber) ?? []), comment]);
  return comment;
}

function findComment(repo: FakeRepository, id: number): FakeComment | undefined {
  for (const list of repo.comments.values()) {
    const found = list.find((comment) => comment.id === id);
    if (found) return found;
  }
  return undefined;
}

export function pullShape(repo: FakeRepository, pull: FakePull): Record<string, unknown> {
  return {
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    user: userShape(pull.user),
    html_url: `https://github.com/${repo.fullName}/pull/${pull.number}`,
    head: {
      ref: pull.head.ref,
      sha: pull.head.sha,
      repo: { full_name: pull.head.repoFullName },
    },
    base: { ref: pull.base.ref, sha: pull.base.sha, repo: { full_name: repo.fullName } },
    labels: pull.labels.map((name) => ({ name })),
    merged: pull.merged_at !== null,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
  };
}

function commitShape(repo: FakeRepository, sha: string): Record<string, unknown> {
  const commit = repo.commits.get(sha)!;
  return {
    sha,
    commit: { message: commit.message },
    parents: commit.parents.map((parent) => ({ sha: parent })),
  };
}

function pullOf(context: CallContext): FakePull | undefined {
  return context.repo.pulls.get(Number(context.params.pull_number ?? context.params.issue_number));
}

const PROTECTED_PUSH = 'Changes must be made through a pull request.';

/** A direct write to a protected branch, refused as GitHub refuses it. */
function protectedPush(context: CallContext, branch: string): FakeResponse | undefined {
  const rule = context.repo.protection.get(branch);
  if (!rule?.requirePullRequest) return undefined;
  return errorResponse(
    409,
    `Protected branch update failed for refs/heads/${branch}. ${PROTECTED_PUSH}`,
    context.docs,
  );
}

function checkRunShape(run: FakeRepository['checkRuns'][number]): Record<string, unknown> {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.head_sha,
    status: run.status,
    conclusion: run.conclusion,
    external_id: run.external_id,
    output: run.output,
    app: { slug: run.app },
    started_at: run.created_at,
  };
}

function deploymentShape(d: FakeRepository['deployments'][number]): Record<string, unknown> {
  return {
    id: d.id,
    sha: d.sha,
    ref: d.ref,
    environment: d.environment,
    payload: d.payload,
    description: d.description,
    creator: userShape(d.creator),
    created_at: d.created_at,
    production_environment: d.production_environment,
    transient_environment: d.transient_environment,
  };
}

/** Every endpoint of GITHUB_ENDPOINTS, answered from the repository state. */
export const HANDLERS: Record<EndpointName, Handler> = {
  'issues.listComments': (c) =>
    paginate(c, c.repo.comments.get(Number(c.params.issue_number)) ?? []),
  'issues.createComment': (c) => {
    const number = Number(c.params.issue_number);
    if (!c.repo.pulls.has(number) && !c.repo.issues.has(number)) return notFound(c);
    const body = commentBody(c);
    if (typeof body !== 'string') return body;
    return { status: 201, body: addComment(c.repo, number, body, c.identity) };
  },
  'issues.getComment': (c) => {
    const comment = findComment(c.repo, Number(c.params.comment_id));
    return comment ? { body: comment } : notFound(c);
  },
  'issues.updateComment': (c) => {
    const comment = findComment(c.repo, Number(c.params.comment_id));
    if (!comment) return notFound(c);
    // The author may edit their comment; others only with write access to issues or pulls.
    if (comment.user.login !== c.identity.login && !c.canModerate)
      return errorResponse(403, 'Must have admin rights to Repository.', c.docs);
    const body = commentBody(c);
    if (typeof body !== 'string') return body;
    comment.body = body;
    comment.updated_at = now();
    return { body: comment };
  },
  'issues.listForRepo': (c) => {
    const state = c.query.state ?? 'open';
    const labels = (c.query.labels ?? '').split(',').filter(Boolean);
    // GitHub lists pull requests among the issues, marked with a `pull_request` key.
    type Listed = { number: number; state: string; labels: Array<{ name: string }> };
    const issues: Listed[] = [
      ...[...c.repo.issues.values()].map((issue) => ({
        ...issue,
        user: userShape(issue.user),
        labels: issue.labels.map((name) => ({ name })),
      })),
      ...[...c.repo.pulls.values()].map((pull) => ({
        ...pullShape(c.repo, pull),
        number: pull.number,
        state: pull.state,
        labels: pull.labels.map((name) => ({ name })),
        pull_request: { url: `${c.baseUrl}/repos/${c.repo.fullName}/pulls/${pull.number}` },
      })),
    ]
      .filter((issue) => state === 'all' || issue.state === state)
      .filter((issue) => labels.every((label) => issue.labels.some((l) => l.name === label)))
      .sort((a, b) => b.number - a.number);
    return paginate(c, issues);
  },
  'issues.create': (c) => {
    const { title, body, labels } = (c.body ?? {}) as {
      title?: string;
      body?: string;
      labels?: string[];
    };
    if (!title) return validation(c, 'title is required');
    const number = c.repo.nextNumber();
    const issue = {
      number,
      title,
      body: body ?? '',
      state: 'open' as const,
      state_reason: null,
      labels: labels ?? [],
      user: c.identity,
    };
    c.repo.issues.set(number, issue);
    return { status: 201, body: { ...issue, labels: issue.labels.map((name) => ({ name })) } };
  },
  'issues.update': (c) => {
    const issue = c.repo.issues.get(Number(c.params.issue_number));
    if (!issue) return notFound(c);
    const update = (c.body ?? {}) as Partial<{
      title: string;
      body: string;
      state: 'open' | 'closed';
      state_reason: string;
    }>;
    Object.assign(issue, update);
    return { body: { ...issue, labels: issue.labels.map((name) => ({ name })) } };
  },
  'issues.addLabels': (c) => {
    const number = Number(c.params.issue_number);
    const target = c.repo.pulls.get(number) ?? c.repo.issues.get(number);
    if (!target) return notFound(c);
    for (const label of (c.body?.labels ?? []) as string[])
      if (!target.labels.includes(label)) target.labels.push(label);
    return { body: target.labels.map((name) => ({ name })) };
  },
  'pulls.get': (c) => {
    const pull = pullOf(c);
    return pull ? { body: pullShape(c.repo, pull) } : notFound(c);
  },
  'pulls.list': (c) => {
    const state = c.query.state ?? 'open';
    const pulls = [...c.repo.pulls.values()]
      .filter((pull) => state === 'all' || pull.state === state)
      .filter(
        (pull) =>
          !c.query.head ||
          `${pull.head.repoFullName.split('/')[0]}:${pull.head.ref}` === c.query.head,
      )
      .filter((pull) => !c.query.base || pull.base.ref === c.query.base)
      .sort((a, b) => b.number - a.number)
      .map((pull) => pullShape(c.repo, pull));
    return paginate(c, pulls);
  },
  'pulls.listFiles': (c) => {
    const pull = pullOf(c);
    const override = c.repo.pullFilesOverride.get(Number(c.params.pull_number));
    if (!pull && !override) return notFound(c);
    return paginate(c, (override ?? c.repo.filesOfPull(pull!)).map(fileEntry));
  },
  'pulls.create': (c) => {
    const { head, base, title, body } = (c.body ?? {}) as Record<string, string | undefined>;
    if (!head || !base || !title) return validation(c, 'head, base and title are required');
    const headSha = c.repo.branches.get(head);
    const baseSha = c.repo.branches.get(base);
    if (!headSha || !baseSha) return validation(c, `branch ${headSha ? base : head} not found`);
    const number = c.repo.nextNumber();
    const pull: FakePull = {
      number,
      state: 'open',
      title,
      body: body ?? '',
      user: c.identity,
      head: { ref: head, sha: headSha, repoFullName: c.repo.fullName },
      base: { ref: base, sha: baseSha },
      labels: [],
      merged_at: null,
      merge_commit_sha: null,
    };
    c.repo.pulls.set(number, pull);
    return { status: 201, body: pullShape(c.repo, pull) };
  },
  'pulls.update': (c) => {
    const pull = pullOf(c);
    if (!pull) return notFound(c);
    const update = (c.body ?? {}) as Partial<{ title: string; body: string; base: string }>;
    if (update.title !== undefined) pull.title = update.title;
    if (update.body !== undefined) pull.body = update.body;
    if (update.base !== undefined) {
      const sha = c.repo.branches.get(update.base);
      if (!sha) return validation(c, `base branch ${update.base} not found`);
      pull.base = { ref: update.base, sha };
    }
    return { body: pullShape(c.repo, pull) };
  },
  'pulls.merge': (c) => {
    const pull = pullOf(c);
    if (!pull) return notFound(c);
    const merged = c.repo.merge(pull);
    if ('refused' in merged) return errorResponse(405, merged.refused, c.docs);
    return { body: { sha: merged.sha, merged: true, message: 'Pull Request successfully merged' } };
  },
  'repos.listPullRequestsAssociatedWithCommit': (c) => {
    const override = c.repo.commitPullsOverride.get(c.params.commit_sha!);
    if (override) return { body: override };
    const pulls = [...c.repo.pulls.values()]
      .filter(
        (pull) =>
          pull.merge_commit_sha === c.params.commit_sha || pull.head.sha === c.params.commit_sha,
      )
      .map((pull) => pullShape(c.repo, pull));
    return paginate(c, pulls);
  },
  'repos.compareCommitsWithBasehead': (c) => {
    const basehead = c.params.basehead!;
    const override = c.repo.compareOverride.get(basehead);
    const page = Number(c.query.page ?? 1) || 1;
    if (override) {
      // Like GitHub: pages split the commits; the first page lists every changed file (at most 300).
      return {
        body: {
          status: 'ahead',
          total_commits: 1,
          commits: [],
          files: page === 1 ? override.slice(0, 300).map(fileEntry) : [],
        },
      };
    }
    const [base, head] = basehead.split('...');
    if (!base || !head || !c.repo.resolve(base) || !c.repo.resolve(head)) return notFound(c);
    const { commits, files, status } = c.repo.compare(base, head);
    const perPage = Math.min(Number(c.query.per_page ?? 250) || 250, 250);
    return {
      body: {
        status,
        ahead_by: commits.length,
        total_commits: commits.length,
        commits: commits
          .slice((page - 1) * perPage, page * perPage)
          .map((commit) => commitShape(c.repo, commit.sha)),
        files: page === 1 ? files.slice(0, 300).map(fileEntry) : [],
      },
    };
  },
  'repos.getBranch': (c) => {
    const sha = c.repo.branches.get(c.params.branch!);
    if (!sha) return notFound(c);
    return {
      body: {
        name: c.params.branch,
        commit: commitShape(c.repo, sha),
        protected: c.repo.protection.has(c.params.branch!),
      },
    };
  },
  'repos.getContent': (c) => {
    const commit = c.repo.resolve(c.query.ref ?? 'main');
    const text = commit?.tree.get(c.params.path!);
    if (text === undefined) return notFound(c);
    return {
      body: {
        type: 'file',
        path: c.params.path,
        sha: blobSha(text),
        encoding: 'base64',
        content: Buffer.from(text).toString('base64'),
      },
    };
  },
  'repos.createOrUpdateFileContents': (c) => {
    const {
      branch = 'main',
      content,
      message,
      sha,
    } = (c.body ?? {}) as Record<string, string | undefined>;
    if (content === undefined || !message) return validation(c, 'content and message are required');
    const head = c.repo.resolve(branch);
    if (!head) return notFound(c);
    const refused = protectedPush(c, branch);
    if (refused) return refused;
    const path = c.params.path!;
    const existing = head.tree.get(path);
    if (existing !== undefined && sha !== blobSha(existing))
      return errorResponse(409, `${path} does not match ${sha ?? '(no sha)'}`, c.docs);
    if (existing === undefined && sha) return notFound(c);
    const text = Buffer.from(content, 'base64').toString('utf8');
    const commit = c.repo.commitOn(branch, { [path]: text }, message);
    return {
      status: existing === undefined ? 201 : 200,
      body: { content: { path, sha: blobSha(text) }, commit: { sha: commit, message } },
    };
  },
  'git.getRef': (c) => {
    const ref = c.params.ref!;
    const branch = ref.replace(/^heads\//, '');
    const sha = ref.startsWith('heads/') ? c.repo.branches.get(branch) : undefined;
    if (!sha) return notFound(c);
    return { body: { ref: `refs/${ref}`, object: { sha, type: 'commit' } } };
  },
  'git.createRef': (c) => {
    const { ref, sha } = (c.body ?? {}) as { ref?: string; sha?: string };
    if (!ref?.startsWith('refs/heads/') || !sha || !c.repo.commits.has(sha))
      return validation(c, 'ref must be refs/heads/<name> and sha an existing commit');
    const branch = ref.slice('refs/heads/'.length);
    if (c.repo.branches.has(branch)) return validation(c, 'Reference already exists');
    c.repo.branches.set(branch, sha);
    return { status: 201, body: { ref, object: { sha, type: 'commit' } } };
  },
  'git.updateRef': (c) => {
    const ref = c.params.ref!;
    const branch = ref.replace(/^heads\//, '');
    const { sha } = (c.body ?? {}) as { sha?: string };
    if (!c.repo.branches.has(branch)) return notFound(c);
    if (!sha || !c.repo.commits.has(sha)) return validation(c, 'sha must be an existing commit');
    const refused = protectedPush(c, branch);
    if (refused) return { ...refused, status: 422 };
    c.repo.branches.set(branch, sha);
    return { body: { ref: `refs/${ref}`, object: { sha, type: 'commit' } } };
  },
  'repos.getBranchProtection': (c) => {
    const rule = c.repo.protection.get(c.params.branch!);
    if (!rule) return errorResponse(404, 'Branch not protected', c.docs);
    return {
      body: {
        required_status_checks: { strict: true, contexts: rule.requiredChecks },
        required_pull_request_reviews: rule.requirePullRequest ? {} : undefined,
      },
    };
  },
  'repos.updateBranchProtection': (c) => {
    const body = (c.body ?? {}) as {
      required_status_checks?: { contexts?: string[]; checks?: Array<{ context: string }> } | null;
      required_pull_request_reviews?: unknown;
    };
    if (!c.repo.branches.has(c.params.branch!)) return notFound(c);
    const checks = body.required_status_checks;
    c.repo.protection.set(c.params.branch!, {
      requiredChecks: checks?.checks?.map((check) => check.context) ?? checks?.contexts ?? [],
      requirePullRequest: body.required_pull_request_reviews != null,
    });
    return { body: { url: `${c.baseUrl}${c.path}` } };
  },
  'actions.setCustomOidcSubClaimForRepo': (c) => {
    const { use_default, include_claim_keys } = (c.body ?? {}) as {
      use_default?: unknown;
      include_claim_keys?: unknown;
    };
    if (typeof use_default !== 'boolean') return validation(c, 'use_default is required');
    const keys = Array.isArray(include_claim_keys) ? include_claim_keys : undefined;
    if (!use_default && (!keys || keys.length === 0 || keys.some((k) => typeof k !== 'string')))
      return validation(c, 'include_claim_keys is required when use_default is false');
    c.repo.oidcSubjectClaimKeys = use_default ? null : (keys as string[]);
    return { status: 201, body: {} };
  },
  'repos.createCommitStatus': (c) => {
    const {
      state,
      context = 'default',
      description = '',
      target_url = '',
    } = (c.body ?? {}) as Record<string, string | undefined>;
    if (!state || !['error', 'failure', 'pending', 'success'].includes(state))
      return validation(c, 'state must be error, failure, pending or success');
    if (description.length > 140) return validation(c, 'description is too long (maximum is 140)');
    const status = {
      id: c.repo.nextId(),
      sha: c.params.sha!,
      state,
      context,
      description,
      target_url,
      creator: c.identity,
      created_at: now(),
    };
    c.repo.statuses.push(status);
    return { status: 201, body: { ...status, creator: userShape(c.identity) } };
  },
  'checks.create': (c) => {
    // GitHub: only GitHub Apps create check runs; people and OAuth tokens cannot.
    if (!c.isApp) return errorResponse(403, 'You must authenticate via a GitHub App.', c.docs);
    const body = (c.body ?? {}) as {
      name?: string;
      head_sha?: string;
      status?: 'queued' | 'in_progress' | 'completed';
      conclusion?: string;
      external_id?: string;
      output?: { title?: string; summary?: string; text?: string };
    };
    if (!body.name || !body.head_sha) return validation(c, 'name and head_sha are required');
    const status = body.status ?? (body.conclusion ? 'completed' : 'queued');
    if (status === 'completed' && !body.conclusion)
      return validation(c, 'conclusion is required when status is completed');
    const summary = body.output?.summary ?? '';
    if (summary.length > COMMENT_LIMIT || (body.output?.text ?? '').length > COMMENT_LIMIT)
      return validation(c, 'output is too long (maximum is 65535 characters)');
    const run = {
      id: c.repo.nextId(),
      name: body.name,
      head_sha: body.head_sha,
      status,
      conclusion: body.conclusion ?? null,
      external_id: body.external_id ?? '',
      output: {
        title: body.output?.title ?? '',
        summary,
        text: body.output?.text ?? '',
      },
      app: c.identity.app!,
      created_at: now(),
    };
    c.repo.checkRuns.push(run);
    return { status: 201, body: checkRunShape(run) };
  },
  'checks.listForRef': (c) => {
    const commit = c.repo.resolve(c.params.ref!);
    const sha = commit?.sha ?? c.params.ref!;
    const runs = c.repo.checkRuns
      .filter((run) => run.head_sha === sha)
      .filter((run) => !c.query.check_name || run.name === c.query.check_name)
      .slice()
      .reverse()
      .map(checkRunShape);
    const page = paginate(c, runs);
    return { ...page, body: { total_count: runs.length, check_runs: page.body } };
  },
  'repos.listDeployments': (c) => {
    const list = c.repo.deployments
      .filter((d) => !c.query.environment || d.environment === c.query.environment)
      .filter((d) => !c.query.sha || d.sha === c.query.sha)
      .filter((d) => !c.query.ref || d.ref === c.query.ref)
      .slice()
      .reverse()
      .map(deploymentShape);
    return paginate(c, list);
  },
  'repos.createDeployment': (c) => {
    const body = (c.body ?? {}) as {
      ref?: string;
      environment?: string;
      payload?: unknown;
      description?: string;
      production_environment?: boolean;
      transient_environment?: boolean;
      required_contexts?: string[];
    };
    const commit = body.ref ? c.repo.resolve(body.ref) : undefined;
    const sha = commit?.sha ?? (/^[0-9a-f]{40}$/.test(body.ref ?? '') ? body.ref! : undefined);
    if (!sha) return validation(c, `No ref found for: ${body.ref}`);
    if (body.required_contexts === undefined) {
      const missing = commit ? c.repo.missingChecks('main', commit.sha) : [];
      if (missing.length > 0)
        return {
          status: 409,
          body: { message: `Conflict: Commit status checks failed for ${body.ref}.` },
        };
    }
    const environment = body.environment ?? 'production';
    const deployment = {
      id: c.repo.nextId(),
      sha,
      ref: body.ref!,
      environment,
      payload: typeof body.payload === 'string' ? body.payload : (body.payload ?? {}),
      description: body.description ?? '',
      production_environment: body.production_environment ?? environment === 'production',
      transient_environment: body.transient_environment ?? false,
      creator: c.identity,
      created_at: now(),
      statuses: [],
    };
    c.repo.deployments.push(deployment);
    return { status: 201, body: deploymentShape(deployment) };
  },
  'repos.listDeploymentStatuses': (c) => {
    const deployment = c.repo.deployments.find((d) => d.id === Number(c.params.deployment_id));
    if (!deployment) return notFound(c);
    return paginate(
      c,
      deployment.statuses
        .slice()
        .reverse()
        .map((s) => ({ ...s, creator: userShape(s.creator) })),
    );
  },
  'repos.createDeploymentStatus': (c) => {
    const deployment = c.repo.deployments.find((d) => d.id === Number(c.params.deployment_id));
    if (!deployment) return notFound(c);
    const body = (c.body ?? {}) as Record<string, unknown>;
    const state = String(body.state ?? '');
    const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
    if (!states.includes(state)) return validation(c, `state must be one of ${states.join(', ')}`);
    const description = String(body.description ?? '');
    if (description.length > 140) return validation(c, 'description is too long (maximum is 140)');
    const status = {
      id: c.repo.nextId(),
      state,
      description,
      environment_url: String(body.environment_url ?? ''),
      log_url: String(body.log_url ?? ''),
      creator: c.identity,
      created_at: now(),
    };
    deployment.statuses.push(status);
    // GitHub: auto_inactive (default true) marks earlier non-transient, non-production
    // deployments of the environment inactive when this one succeeds.
    if (state === 'success' && body.auto_inactive !== false && !deployment.production_environment) {
      for (const earlier of c.repo.deployments) {
        if (
          earlier.id !== deployment.id &&
          earlier.environment === deployment.environment &&
          !earlier.transient_environment &&
          earlier.statuses.at(-1)?.state !== 'inactive'
        ) {
          earlier.statuses.push({ ...status, id: c.repo.nextId(), state: 'inactive' });
        }
      }
    }
    return { status: 201, body: { ...status, creator: userShape(c.identity) } };
  },
  'actions.createWorkflowDispatch': (c) => {
    const { ref, inputs } = (c.body ?? {}) as { ref?: string; inputs?: Record<string, unknown> };
    if (!ref || !c.repo.resolve(ref)) return validation(c, `No ref found for: ${ref}`);
    c.repo.dispatches.push({ workflow: c.params.workflow_id!, ref, inputs: inputs ?? {} });
    return { status: 204 };
  },
};
