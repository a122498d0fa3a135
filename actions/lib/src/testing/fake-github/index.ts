import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Octokit } from '@octokit/rest';
import type { GitHubClient } from '../../github';
import {
  GITHUB_ENDPOINTS,
  grantsSet,
  headerSpelling,
  PERMISSION_SCOPES,
  permissionsFor,
  type CommandCalls,
  type EndpointName,
  type JobPermissions,
} from '../../github-endpoints';
import { ConcurrencyGroups } from './concurrency';
import {
  ACTIONS_BOT,
  FakeRepository,
  userIdentity,
  type BranchProtection,
  type FakeComment,
  type FakeIdentity,
  type FakePull,
} from './repository';
import { addComment, errorResponse, HANDLERS, type CallContext, type FakeResponse } from './routes';

export { ConcurrencyGroups, type QueuedRun, type RunState } from './concurrency';
export {
  ACTIONS_BOT,
  blobSha,
  userIdentity,
  FakeRepository,
  type BranchProtection,
  type FakeCheckRun,
  type FakeComment,
  type FakeCommit,
  type FakeDeployment,
  type FakeIdentity,
  type FakeIssue,
  type FakePull,
  type FakeStatus,
} from './repository';
export { paginate, type FakeResponse } from './routes';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/repos/o/r/issues/1/comments`. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** The endpoint it matched (undefined for an unknown route). */
  endpoint?: EndpointName;
  /** The status the fake answered. */
  status: number;
  /** The login of the token's identity (undefined without a valid token). */
  actor?: string;
}

interface TokenGrant {
  identity: FakeIdentity;
  permissions: JobPermissions;
  /** `installation`: a GitHub App token (the workflow token); `user`: a person's token. */
  kind: 'installation' | 'user';
}

export interface PullRequestOptions {
  number?: number;
  title?: string;
  head?: { ref?: string; sha?: string; repoFullName?: string };
  base?: string;
  user?: string;
  labels?: string[];
  /** Changed files as GitHub will list them (default: from the commits). */
  files?: string[];
}

export interface FakeGitHub {
  /** Base URL for GITHUB_API_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order, with the endpoint it matched and the status answered. */
  readonly requests: RecordedRequest[];
  /** GitHub's concurrency-group model for tests of queued runs. */
  readonly concurrency: ConcurrencyGroups;
  /**
   * A workflow job token (`GITHUB_TOKEN`) with exactly these permissions (`metadata: read` is
   * implied, as on GitHub). It acts as `github-actions[bot]` unless another app identity is given.
   */
  token(permissions: JobPermissions, identity?: FakeIdentity): string;
  /** A job token with the least permissions that allow `calls` (every call of a conditional declaration). */
  tokenFor(calls: CommandCalls, identity?: FakeIdentity): string;
  /** An @octokit/rest client of the fake for `token` (how tests act as a person or another job). */
  client(token: string): GitHubClient;
  /** A person's token: `read` (e.g. a fork's author), `write` (a collaborator) or `admin`. */
  userToken(login: string, role: 'read' | 'write' | 'admin'): string;
  /** The state of one repository (created on first use with an empty `main`). */
  repository(owner: string, repo: string): FakeRepository;
  /** Issue/PR comments of `owner/repo#number`, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): FakeComment[];
  /** Adds a comment as `author` (default the workflow bot), as if it had been posted. */
  addComment(
    owner: string,
    repo: string,
    issueNumber: number,
    body: string,
    author?: string | FakeIdentity,
  ): FakeComment;
  /** Opens a pull request (its head branch gets a commit unless `head.sha` is given). */
  openPullRequest(owner: string, repo: string, options?: PullRequestOptions): FakePull;
  /** Merges an open pull request as the merge button would (required checks apply); its merge commit. */
  mergePullRequest(owner: string, repo: string, pullNumber: number): string;
  /** Files of a pull request, overriding what the commits say. */
  setPullFiles(owner: string, repo: string, pullNumber: number, files: string[]): void;
  /** Files of a comparison `base...head`, overriding the commit graph. */
  setCompareFiles(owner: string, repo: string, base: string, head: string, files: string[]): void;
  /** Pull requests associated with a commit, overriding the recorded pull requests. */
  setCommitPulls(
    owner: string,
    repo: string,
    sha: string,
    pulls: Array<Record<string, unknown>>,
  ): void;
  /** Branch protection as the repository settings would hold it. */
  protectBranch(owner: string, repo: string, branch: string, rule: BranchProtection): void;
  stop(): Promise<void>;
}

interface CompiledRoute {
  endpoint: EndpointName;
  method: string;
  pattern: RegExp;
}

/** `{path}`, `{basehead}` and `{ref}` of git refs may contain slashes; other placeholders do not. */
function compile(name: EndpointName): CompiledRoute {
  const { method, route } = GITHUB_ENDPOINTS[name];
  const source = route
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_, param: string) =>
      ['path', 'basehead', 'ref'].includes(param) && !route.includes('/commits/{ref}')
        ? `(?<${param}>.+)`
        : `(?<${param}>[^/]+)`,
    );
  return { endpoint: name, method, pattern: new RegExp(`^${source}$`) };
}

/**
 * Anyone signed in may comment on a public repository's issues and pull requests and edit their
 * own comments; whether they may edit someone else's is decided by the comment handler.
 */
const OPEN_TO_PARTICIPANTS: readonly EndpointName[] = [
  'issues.createComment',
  'issues.updateComment',
];

const ROUTES = (Object.keys(GITHUB_ENDPOINTS) as EndpointName[])
  .map(compile)
  // More specific routes first: `/issues/comments/{id}` before `/issues/{number}`.
  .sort((a, b) => b.pattern.source.length - a.pattern.source.length);

function rolePermissions(role: 'read' | 'write' | 'admin'): JobPermissions {
  const level = role === 'read' ? 'read' : 'write';
  const permissions: JobPermissions = {};
  for (const scope of PERMISSION_SCOPES) {
    if (scope === 'id-token') continue;
    permissions[scope] = scope === 'administration' ? (role === 'admin' ? 'write' : 'none') : level;
  }
  return permissions;
}

/**
 * A GitHub REST API stand-in on a free loopback port that enforces what GitHub enforces:
 * - every request needs a token the fake issued (`token`, `tokenFor`, `userToken`): 401
 *   "Bad credentials" otherwise;
 * - the token's permissions against the endpoint's (GITHUB_ENDPOINTS): 403 "Resource not
 *   accessible by integration" with `x-accepted-github-permissions`, as GitHub answers;
 * - authors: comments, statuses, deployments and check runs record the token's identity; only
 *   GitHub Apps create check runs; a read-only user cannot edit others' comments;
 * - branch protection: no direct push to a protected branch, merges need the required checks;
 * - concurrency groups (`concurrency`), for tests of queued workflow runs.
 * It keeps comments, pull requests, commits, contents, statuses, check runs, deployments, issues
 * and labels in memory and records every request.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const tokens = new Map<string, TokenGrant>();
  const repositories = new Map<string, FakeRepository>();
  let nextId = 1_000_001;
  const ids = (): number => nextId++;
  let baseUrl = '';

  const repository = (owner: string, repo: string): FakeRepository => {
    const key = `${owner}/${repo}`;
    let found = repositories.get(key);
    if (!found) {
      found = new FakeRepository(owner, repo, ids);
      repositories.set(key, found);
    }
    return found;
  };
  const issue = (prefix: string, grant: TokenGrant): string => {
    const value = `${prefix}_${randomBytes(18).toString('base64url')}`;
    tokens.set(value, grant);
    return value;
  };
  const token = (permissions: JobPermissions, identity: FakeIdentity = ACTIONS_BOT): string =>
    issue('ghs', { identity, permissions, kind: 'installation' });

  function answer(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: http.IncomingHttpHeaders,
    body: unknown,
    recorded: RecordedRequest,
  ): FakeResponse {
    const match = ROUTES.map((route) => ({
      route,
      groups: route.method === method ? route.pattern.exec(path)?.groups : undefined,
    })).find((candidate) => candidate.groups);
    const docs = 'https://docs.github.com/rest';
    if (!match) return errorResponse(404, 'Not Found', docs);
    const endpoint = GITHUB_ENDPOINTS[match.route.endpoint];
    recorded.endpoint = match.route.endpoint;
    const authorization = headers.authorization ?? '';
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1];
    const grant = presented ? tokens.get(presented) : undefined;
    if (!grant) return errorResponse(401, 'Bad credentials', docs);
    recorded.actor = grant.identity.login;
    const participant =
      grant.kind === 'user' && OPEN_TO_PARTICIPANTS.includes(match.route.endpoint);
    if (!participant && !endpoint.accepted.some((set) => grantsSet(grant.permissions, set))) {
      const response = errorResponse(
        403,
        grant.kind === 'installation'
          ? 'Resource not accessible by integration'
          : 'Resource not accessible by personal access token',
        endpoint.docs,
      );
      return {
        ...response,
        headers: {
          'x-accepted-github-permissions': endpoint.accepted.map(headerSpelling).join('; '),
        },
      };
    }
    const params = Object.fromEntries(
      Object.entries(match.groups!).map(([key, value]) => [key, decodeURIComponent(value)]),
    );
    const context: CallContext = {
      endpoint: match.route.endpoint,
      params,
      query,
      body,
      repo: repository(params.owner!, params.repo!),
      identity: grant.identity,
      canModerate:
        grantsSet(grant.permissions, { issues: 'write' }) ||
        grantsSet(grant.permissions, { 'pull-requests': 'write' }),
      isApp: grant.kind === 'installation',
      baseUrl,
      path,
      docs: endpoint.docs,
    };
    return HANDLERS[match.route.endpoint](context);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', baseUrl);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        status: 0,
      };
      requests.push(recorded);
      let response: FakeResponse;
      try {
        response = answer(
          recorded.method,
          recorded.path,
          recorded.query,
          req.headers,
          body,
          recorded,
        );
      } catch (error) {
        response = errorResponse(
          500,
          `fake GitHub handler failed: ${(error as Error).message}`,
          '',
        );
      }
      recorded.status = response.status ?? 200;
      const payload = response.body === undefined ? '' : JSON.stringify(response.body);
      res.writeHead(recorded.status, {
        'content-type': 'application/json; charset=utf-8',
        ...response.headers,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    concurrency: new ConcurrencyGroups(),
    token,
    tokenFor: (calls, identity) => token(permissionsFor(calls), identity),
    client: (value) =>
      new Octokit({ auth: value, baseUrl, request: { retries: 0 } }) as unknown as GitHubClient,
    userToken: (login, role) =>
      issue('ghp', {
        identity: userIdentity(login),
        permissions: rolePermissions(role),
        kind: 'user',
      }),
    repository,
    comments: (owner, repo, number) => repository(owner, repo).comments.get(number) ?? [],
    addComment: (owner, repo, number, body, author = ACTIONS_BOT) => {
      const state = repository(owner, repo);
      if (!state.pulls.has(number) && !state.issues.has(number)) openPull(state, { number });
      return addComment(
        state,
        number,
        body,
        typeof author === 'string' ? userIdentity(author) : author,
      );
    },
    openPullRequest: (owner, repo, options = {}) => openPull(repository(owner, repo), options),
    mergePullRequest: (owner, repo, number) => {
      const state = repository(owner, repo);
      const pull = state.pulls.get(number);
      if (!pull) throw new Error(`no pull request #${number}`);
      const merged = state.merge(pull);
      if ('refused' in merged) throw new Error(`#${number} cannot be merged: ${merged.refused}`);
      return merged.sha;
    },
    setPullFiles: (owner, repo, number, files) => {
      const state = repository(owner, repo);
      if (!state.pulls.has(number)) openPull(state, { number, files });
      state.pullFilesOverride.set(number, files);
    },
    setCompareFiles: (owner, repo, base, head, files) =>
      void repository(owner, repo).compareOverride.set(`${base}...${head}`, files),
    setCommitPulls: (owner, repo, sha, pulls) =>
      void repository(owner, repo).commitPullsOverride.set(sha, pulls),
    protectBranch: (owner, repo, branch, rule) =>
      void repository(owner, repo).protection.set(branch, rule),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function openPull(state: FakeRepository, options: PullRequestOptions): FakePull {
  const number = options.number ?? state.nextNumber();
  const base = options.base ?? 'main';
  const baseSha = state.branches.get(base) ?? state.branches.get('main')!;
  const ref = options.head?.ref ?? `change-${number}`;
  let sha = options.head?.sha;
  if (!sha) {
    if (!state.branches.has(ref)) state.branches.set(ref, baseSha);
    sha = state.commitOn(ref, options.files ?? [`change-${number}.txt`], `change of #${number}`);
  }
  const pull: FakePull = {
    number,
    state: 'open',
    title: options.title ?? `Change ${number}`,
    body: '',
    user: userIdentity(options.user ?? 'octocat'),
    head: { ref, sha, repoFullName: options.head?.repoFullName ?? state.fullName },
    base: { ref: base, sha: baseSha },
    labels: options.labels ?? [],
    ...(options.files ? { files: options.files } : {}),
    merged_at: null,
    merge_commit_sha: null,
  };
  state.pulls.set(number, pull);
  return pull;
}
