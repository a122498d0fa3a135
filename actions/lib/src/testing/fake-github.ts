import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/repos/o/r/issues/1/comments`. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeRequest extends RecordedRequest {
  /** Named groups of the route pattern. */
  params: Record<string, string>;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface FakeGitHub {
  /** Base URL for GITHUB_API_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Issue/PR comments of `owner/repo#number`, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): FakeComment[];
  addComment(owner: string, repo: string, issueNumber: number, body: string): FakeComment;
  /** Files of a pull request (`GET /repos/{o}/{r}/pulls/{n}/files`, paginated). */
  setPullFiles(owner: string, repo: string, pullNumber: number, files: string[]): void;
  /** Files of a comparison (`GET /repos/{o}/{r}/compare/{base}...{head}`). */
  setCompareFiles(owner: string, repo: string, base: string, head: string, files: string[]): void;
  /** Pull requests associated with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
  setCommitPulls(
    owner: string,
    repo: string,
    sha: string,
    pulls: Array<Record<string, unknown>>,
  ): void;
  /** Adds (or overrides) a route; the pattern is matched against the path, named groups become params. */
  route(method: string, pattern: RegExp, handler: FakeHandler): void;
  stop(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: FakeHandler;
}

/** Slices `items` by `per_page`/`page` and adds the Link header Octokit's paginate() follows. */
export function paginate(request: FakeRequest, baseUrl: string, items: unknown[]): FakeResponse {
  const perPage = Math.min(Number(request.query.per_page ?? 30) || 30, 100);
  const page = Math.max(Number(request.query.page ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const headers: Record<string, string> = {};
  if (page < lastPage) {
    const next = new URL(request.path, baseUrl);
    for (const [key, value] of Object.entries(request.query)) next.searchParams.set(key, value);
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

/**
 * A GitHub REST API stand-in on a free loopback port. It records every request and keeps issue
 * comments in memory (list/create/get/update), serves configured PR files, comparisons and
 * commit→PR associations, and answers 404 (with GitHub's error shape) for anything else.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const commentsByIssue = new Map<string, FakeComment[]>();
  const pullFiles = new Map<string, string[]>();
  const compareFiles = new Map<string, string[]>();
  const commitPulls = new Map<string, Array<Record<string, unknown>>>();
  const routes: Route[] = [];
  let nextCommentId = 1_000_001;
  let baseUrl = '';

  const issueKey = (owner: string, repo: string, number: number | string): string =>
    `${owner}/${repo}#${number}`;
  const findComment = (owner: string, repo: string, id: number): FakeComment | undefined => {
    for (const [key, list] of commentsByIssue) {
      if (!key.startsWith(`${owner}/${repo}#`)) continue;
      const found = list.find((comment) => comment.id === id);
      if (found) return found;
    }
    return undefined;
  };
  const addComment = (
    owner: string,
    repo: string,
    issueNumber: number,
    body: string,
  ): FakeComment => {
    const key = issueKey(owner, repo, issueNumber);
    const id = nextCommentId++;
    const now = new Date().toISOString();
    const comment: FakeComment = {
      id,
      body,
      html_url: `https://github.com/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: now,
      updated_at: now,
    };
    commentsByIssue.set(key, [...(commentsByIssue.get(key) ?? []), comment]);
    return comment;
  };
  const notFound: FakeResponse = {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
  };
  const route = (method: string, pattern: RegExp, handler: FakeHandler): void => {
    routes.unshift({ method: method.toUpperCase(), pattern, handler });
  };

  route(
    'GET',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/(?<number>\d+)\/comments$/,
    (req) =>
      paginate(
        req,
        baseUrl,
        commentsByIssue.get(issueKey(req.params.owner!, req.params.repo!, req.params.number!)) ??
          [],
      ),
  );
  route(
    'POST',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/(?<number>\d+)\/comments$/,
    (req) => {
      const body = (req.body as { body?: unknown } | null)?.body;
      if (typeof body !== 'string') return { status: 422, body: { message: 'body is required' } };
      if (body.length > 65_536)
        return {
          status: 422,
          body: { message: 'Validation Failed: body is too long (maximum is 65536 characters)' },
        };
      return {
        status: 201,
        body: addComment(req.params.owner!, req.params.repo!, Number(req.params.number), body),
      };
    },
  );
  route(
    'GET',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/comments\/(?<id>\d+)$/,
    (req) => {
      const comment = findComment(req.params.owner!, req.params.repo!, Number(req.params.id));
      return comment ? { body: comment } : notFound;
    },
  );
  route(
    'PATCH',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/comments\/(?<id>\d+)$/,
    (req) => {
      const comment = findComment(req.params.owner!, req.params.repo!, Number(req.params.id));
      if (!comment) return notFound;
      const body = (req.body as { body?: unknown } | null)?.body;
      if (typeof body !== 'string') return { status: 422, body: { message: 'body is required' } };
      if (body.length > 65_536)
        return {
          status: 422,
          body: { message: 'Validation Failed: body is too long (maximum is 65536 characters)' },
        };
      comment.body = body;
      comment.updated_at = new Date().toISOString();
      return { body: comment };
    },
  );
  route(
    'GET',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/pulls\/(?<number>\d+)\/files$/,
    (req) => {
      const files = pullFiles.get(
        issueKey(req.params.owner!, req.params.repo!, req.params.number!),
      );
      return files ? paginate(req, baseUrl, files.map(fileEntry)) : notFound;
    },
  );
  route('GET', /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/compare\/(?<basehead>.+)$/, (req) => {
    const files = compareFiles.get(
      `${req.params.owner}/${req.params.repo}@${decodeURIComponent(req.params.basehead!)}`,
    );
    if (!files) return notFound;
    // Like GitHub: pages split the commits; the first page lists every changed file (at most 300).
    const page = Number(req.query.page ?? 1) || 1;
    return {
      body: {
        status: 'ahead',
        total_commits: 1,
        commits: [],
        files: page === 1 ? files.slice(0, 300).map(fileEntry) : [],
      },
    };
  });
  route(
    'GET',
    /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/commits\/(?<sha>[^/]+)\/pulls$/,
    (req) => ({
      body: commitPulls.get(`${req.params.owner}/${req.params.repo}@${req.params.sha}`) ?? [],
    }),
  );

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
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
        };
        requests.push(recorded);
        let response: FakeResponse = notFound;
        try {
          for (const candidate of routes) {
            const match =
              candidate.method === recorded.method ? candidate.pattern.exec(recorded.path) : null;
            if (match) {
              response = await candidate.handler({ ...recorded, params: { ...match.groups } });
              break;
            }
          }
        } catch (error) {
          response = {
            status: 500,
            body: { message: `fake GitHub handler failed: ${(error as Error).message}` },
          };
        }
        const payload = response.body === undefined ? '' : JSON.stringify(response.body);
        res.writeHead(response.status ?? 200, {
          'content-type': 'application/json; charset=utf-8',
          ...response.headers,
        });
        res.end(payload);
      })();
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
    comments: (owner, repo, number) => commentsByIssue.get(issueKey(owner, repo, number)) ?? [],
    addComment,
    setPullFiles: (owner, repo, number, files) =>
      void pullFiles.set(issueKey(owner, repo, number), files),
    setCompareFiles: (owner, repo, base, head, files) =>
      void compareFiles.set(`${owner}/${repo}@${base}...${head}`, files),
    setCommitPulls: (owner, repo, sha, pulls) =>
      void commitPulls.set(`${owner}/${repo}@${sha}`, pulls),
    route,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
