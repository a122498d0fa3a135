import type { FakeGitHub } from '@movies/actions-lib/testing';
import type { ReleaseImages } from '../release';

export interface FakeDeployment {
  id: number;
  environment: string;
  sha: string;
  /** Newest last; the API returns them newest first. */
  states: string[];
  images: ReleaseImages;
}

export interface RepoState {
  deployments: FakeDeployment[];
  /** POSTed commit statuses. */
  statuses: Array<{ sha: string; state: string; context: string; description: string }>;
  /** Branch → path → file text (contents API). */
  files: Map<string, Map<string, string>>;
  refs: Map<string, string>;
  pulls: Array<{
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    html_url: string;
    labels: string[];
  }>;
}

const OWNER_REPO = '(?<owner>[^/]+)/(?<repo>[^/]+)';
const at = (suffix: string): RegExp => new RegExp(`^/repos/${OWNER_REPO}/${suffix}$`);

/**
 * Adds to the lib's fake GitHub the endpoints promotion uses: deployments and their statuses,
 * commit statuses, git refs, file contents, pull requests and labels, kept in `state`.
 */
export function installPromotionRoutes(github: FakeGitHub, state: RepoState): void {
  github.route('GET', at('deployments'), (req) => ({
    body: state.deployments
      .filter((d) => !req.query.environment || d.environment === req.query.environment)
      .slice()
      .reverse()
      .slice(0, Number(req.query.per_page ?? 30))
      .map((d) => ({
        id: d.id,
        sha: d.sha,
        ref: 'main',
        environment: d.environment,
        created_at: '2026-11-20T10:00:00Z',
        payload: { images: d.images },
      })),
  }));
  github.route('GET', at('deployments/(?<id>\\d+)/statuses'), (req) => {
    const deployment = state.deployments.find((d) => d.id === Number(req.params.id));
    if (!deployment) return { status: 404, body: { message: 'Not Found' } };
    return {
      body: deployment.states
        .slice()
        .reverse()
        .map((s, i) => ({
          id: i + 1,
          state: s,
          log_url: `https://github.com/o/r/actions/runs/${deployment.id}`,
          environment_url: 'https://dev.example.test',
        })),
    };
  });
  github.route('POST', at('statuses/(?<sha>[0-9a-f]{40})'), (req) => {
    const body = req.body as { state: string; context: string; description: string };
    state.statuses.push({
      sha: req.params.sha!,
      state: body.state,
      context: body.context,
      description: body.description,
    });
    return { status: 201, body: { id: state.statuses.length, ...body } };
  });
  github.route('GET', at('git/ref/(?<ref>.+)'), (req) => {
    const sha = state.refs.get(decodeURIComponent(req.params.ref!));
    return sha
      ? { body: { ref: `refs/${req.params.ref}`, object: { sha, type: 'commit' } } }
      : { status: 404, body: { message: 'Not Found' } };
  });
  github.route('POST', at('git/refs'), (req) => {
    const { ref, sha } = req.body as { ref: string; sha: string };
    const name = ref.replace(/^refs\//, '');
    if (state.refs.has(name)) return { status: 422, body: { message: 'Reference already exists' } };
    state.refs.set(name, sha);
    const branch = name.replace(/^heads\//, '');
    const from = [...state.refs.entries()]
      .find(([key, value]) => value === sha && key !== name)?.[0]
      .replace(/^heads\//, '');
    state.files.set(branch, new Map(state.files.get(from ?? 'main') ?? []));
    return { status: 201, body: { ref, object: { sha } } };
  });
  github.route('GET', at('contents/(?<path>.+)'), (req) => {
    const text = state.files
      .get(req.query.ref ?? 'main')
      ?.get(decodeURIComponent(req.params.path!));
    if (text === undefined) return { status: 404, body: { message: 'Not Found' } };
    return {
      body: {
        type: 'file',
        path: req.params.path,
        sha: `blob-${text.length}`,
        content: Buffer.from(text).toString('base64'),
        encoding: 'base64',
      },
    };
  });
  github.route('PUT', at('contents/(?<path>.+)'), (req) => {
    const body = req.body as { branch: string; content: string; message: string; sha?: string };
    const files = state.files.get(body.branch);
    if (!files) return { status: 404, body: { message: `Branch ${body.branch} not found` } };
    const path = decodeURIComponent(req.params.path!);
    const existing = files.get(path);
    if (existing !== undefined && body.sha !== `blob-${existing.length}`)
      return { status: 409, body: { message: `${path} does not match ${body.sha}` } };
    files.set(path, Buffer.from(body.content, 'base64').toString('utf8'));
    const commit = (state.refs.size + files.size).toString(16).padStart(40, 'c');
    state.refs.set(`heads/${body.branch}`, commit);
    return {
      status: 200,
      body: { content: { path }, commit: { sha: commit, message: body.message } },
    };
  });
  github.route('GET', at('pulls'), (req) => ({
    body: state.pulls.filter(
      (p) =>
        `${req.params.owner}:${p.head}` === req.query.head &&
        (!req.query.base || p.base === req.query.base),
    ),
  }));
  github.route('POST', at('pulls'), (req) => {
    const body = req.body as { head: string; base: string; title: string; body: string };
    const number = 100 + state.pulls.length;
    const pull = {
      number,
      ...body,
      html_url: `https://github.com/${req.params.owner}/${req.params.repo}/pull/${number}`,
      labels: [] as string[],
    };
    state.pulls.push(pull);
    return { status: 201, body: pull };
  });
  github.route('PATCH', at('pulls/(?<number>\\d+)'), (req) => {
    const pull = state.pulls.find((p) => p.number === Number(req.params.number));
    if (!pull) return { status: 404, body: { message: 'Not Found' } };
    Object.assign(pull, req.body as object);
    return { body: pull };
  });
  github.route('POST', at('issues/(?<number>\\d+)/labels'), (req) => {
    const pull = state.pulls.find((p) => p.number === Number(req.params.number));
    if (!pull) return { status: 404, body: { message: 'Not Found' } };
    pull.labels.push(...(req.body as { labels: string[] }).labels);
    return { body: pull.labels.map((name) => ({ name })) };
  });
}
