import { createHash } from 'node:crypto';

/** Who a token acts as; comments, statuses, deployments and check runs record it. */
export interface FakeIdentity {
  login: string;
  id: number;
  type: 'Bot' | 'User';
  /** The GitHub App of an installation token (the workflow token is the `github-actions` app's). */
  app?: string;
}

/** The workflow's GITHUB_TOKEN acts as this bot (its real login and id on github.com). */
export const ACTIONS_BOT: FakeIdentity = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
  app: 'github-actions',
};

export function userIdentity(login: string): FakeIdentity {
  let id = 0;
  for (const char of login) id = (id * 31 + char.charCodeAt(0)) % 90_000_000;
  return { login, id: id + 1_000_000, type: 'User' };
}

export function userShape(identity: FakeIdentity): Record<string, unknown> {
  return { login: identity.login, id: identity.id, type: identity.type };
}

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
}

export interface FakeCommit {
  sha: string;
  parents: string[];
  /** Paths this commit changed relative to its first parent. */
  changed: string[];
  /** Every file of the tree after this commit (path → text). */
  tree: Map<string, string>;
  message: string;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  user: FakeIdentity;
  head: { ref: string; sha: string; repoFullName: string };
  base: { ref: string; sha: string };
  labels: string[];
  /** Changed files as GitHub lists them; computed from the commits when not given. */
  files?: string[];
  merged_at: string | null;
  merge_commit_sha: string | null;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  external_id: string;
  output: { title: string; summary: string; text: string };
  app: string;
  created_at: string;
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string;
  target_url: string;
  creator: FakeIdentity;
  created_at: string;
}

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment_url: string;
  log_url: string;
  creator: FakeIdentity;
  created_at: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  description: string;
  production_environment: boolean;
  transient_environment: boolean;
  creator: FakeIdentity;
  created_at: string;
  /** Oldest first. */
  statuses: FakeDeploymentStatus[];
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  user: FakeIdentity;
}

export interface BranchProtection {
  /** Check run names or commit status contexts that must have succeeded on the head commit. */
  requiredChecks: string[];
  /** No direct pushes: the branch moves only by merging pull requests. */
  requirePullRequest: boolean;
}

/** One repository's state in the fake. */
export class FakeRepository {
  readonly commits = new Map<string, FakeCommit>();
  readonly branches = new Map<string, string>();
  readonly comments = new Map<number, FakeComment[]>();
  readonly pulls = new Map<number, FakePull>();
  readonly issues = new Map<number, FakeIssue>();
  readonly checkRuns: FakeCheckRun[] = [];
  readonly statuses: FakeStatus[] = [];
  readonly deployments: FakeDeployment[] = [];
  readonly protection = new Map<string, BranchProtection>();
  /** The OIDC subject claim template: null is GitHub's default (`repo:<o>/<r>:<context>`). */
  oidcSubjectClaimKeys: string[] | null = null;
  readonly dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, unknown> }> =
    [];
  /** Explicit answers set by tests, taking precedence over the commit graph. */
  readonly pullFilesOverride = new Map<number, string[]>();
  readonly compareOverride = new Map<string, string[]>();
  readonly commitPullsOverride = new Map<string, Array<Record<string, unknown>>>();
  private counter = 0;

  constructor(
    readonly owner: string,
    readonly name: string,
    private readonly ids: () => number,
  ) {
    const root = this.addCommit({ parents: [], files: {}, message: 'initial commit' });
    this.branches.set('main', root);
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  nextId(): number {
    return this.ids();
  }

  /** Issue and pull request numbers share one sequence, as on GitHub. */
  nextNumber(): number {
    const used = [...this.pulls.keys(), ...this.issues.keys()];
    return Math.max(0, ...used) + 1;
  }

  private newSha(seed: string): string {
    this.counter++;
    return createHash('sha1').update(`${this.fullName}:${this.counter}:${seed}`).digest('hex');
  }

  /** Adds a commit; `files` maps changed paths to their new text (null deletes). */
  addCommit(options: {
    parents: string[];
    files: Record<string, string | null>;
    message: string;
    sha?: string;
  }): string {
    const parent = options.parents[0] ? this.commits.get(options.parents[0]) : undefined;
    if (options.parents[0] && !parent) throw new Error(`no commit ${options.parents[0]}`);
    const tree = new Map(parent?.tree ?? []);
    for (const [file, text] of Object.entries(options.files)) {
      if (text === null) tree.delete(file);
      else tree.set(file, text);
    }
    const sha = options.sha ?? this.newSha(options.message);
    this.commits.set(sha, {
      sha,
      parents: options.parents,
      changed: Object.keys(options.files),
      tree,
      message: options.message,
    });
    return sha;
  }

  /** A commit on top of `branch` (created from main when missing); returns its sha. */
  commitOn(
    branch: string,
    files: Record<string, string | null> | string[],
    message = 'change',
    sha?: string,
  ): string {
    const head = this.branches.get(branch) ?? this.branches.get('main')!;
    const changes = Array.isArray(files)
      ? Object.fromEntries(files.map((file) => [file, `${file} at ${message}\n`]))
      : files;
    const commit = this.addCommit({ parents: [head], files: changes, message, sha });
    this.branches.set(branch, commit);
    return commit;
  }

  /** The commit a ref names: a branch, a full sha, or `heads/<branch>`. */
  resolve(ref: string): FakeCommit | undefined {
    const branch = ref.replace(/^refs\//, '').replace(/^heads\//, '');
    const sha = this.branches.get(branch) ?? ref;
    return this.commits.get(sha);
  }

  /** Commits reachable from `head` (itself first), breadth first. */
  ancestors(head: string): string[] {
    const seen: string[] = [];
    const queue = [head];
    while (queue.length > 0) {
      const sha = queue.shift()!;
      if (seen.includes(sha)) continue;
      const commit = this.commits.get(sha);
      if (!commit) continue;
      seen.push(sha);
      queue.push(...commit.parents);
    }
    return seen;
  }

  /** `base...head` as GitHub compares: the commits of head not in base, and the files they change. */
  compare(base: string, head: string): { commits: FakeCommit[]; files: string[]; status: string } {
    const baseCommit = this.resolve(base);
    const headCommit = this.resolve(head);
    if (!baseCommit || !headCommit) throw new Error('unknown commit');
    const inBase = new Set(this.ancestors(baseCommit.sha));
    const ahead = this.ancestors(headCommit.sha).filter((sha) => !inBase.has(sha));
    const behind = [...inBase].filter((sha) => !this.ancestors(headCommit.sha).includes(sha));
    const files = new Set<string>();
    for (const sha of ahead) for (const file of this.commits.get(sha)!.changed) files.add(file);
    const status =
      ahead.length === 0 && behind.length === 0
        ? 'identical'
        : behind.length === 0
          ? 'ahead'
          : ahead.length === 0
            ? 'behind'
            : 'diverged';
    return {
      commits: ahead.reverse().map((sha) => this.commits.get(sha)!),
      files: [...files].sort(),
      status,
    };
  }

  filesOfPull(pull: FakePull): string[] {
    return (
      this.pullFilesOverride.get(pull.number) ??
      pull.files ??
      (this.commits.has(pull.head.sha) ? this.compare(pull.base.sha, pull.head.sha).files : [])
    );
  }

  /**
   * Merges an open pull request into its base as GitHub's merge button does (required checks
   * must have passed): a merge commit whose tree takes the pull request's files from its head.
   * Returns the merge commit, or the reason GitHub would refuse.
   */
  merge(pull: FakePull): { sha: string } | { refused: string } {
    if (pull.state !== 'open' || pull.merged_at)
      return { refused: 'Pull Request is not mergeable' };
    const missing = this.missingChecks(pull.base.ref, pull.head.sha);
    if (missing.length > 0)
      return {
        refused:
          missing.length === 1
            ? `Required status check "${missing[0]}" is expected.`
            : `${missing.length} of ${this.protection.get(pull.base.ref)!.requiredChecks.length} required status checks are expected.`,
      };
    const baseHead = this.branches.get(pull.base.ref)!;
    const head = this.commits.get(pull.head.sha);
    const files = Object.fromEntries(
      this.filesOfPull(pull).map((file) => [file, head?.tree.get(file) ?? null]),
    );
    const sha = this.addCommit({
      parents: [baseHead, pull.head.sha],
      files,
      message: `Merge pull request #${pull.number} from ${pull.head.ref}`,
    });
    this.branches.set(pull.base.ref, sha);
    pull.state = 'closed';
    pull.merged_at = new Date().toISOString();
    pull.merge_commit_sha = sha;
    return { sha };
  }

  /** Whether every required check of `branch` has succeeded on `sha`; the missing ones otherwise. */
  missingChecks(branch: string, sha: string): string[] {
    const rule = this.protection.get(branch);
    if (!rule) return [];
    return rule.requiredChecks.filter((name) => {
      const runs = this.checkRuns.filter((run) => run.head_sha === sha && run.name === name);
      const statuses = this.statuses.filter((s) => s.sha === sha && s.context === name);
      const latestRun = runs.at(-1);
      const latestStatus = statuses.at(-1);
      return !(
        (latestRun?.status === 'completed' && latestRun.conclusion === 'success') ||
        latestStatus?.state === 'success'
      );
    });
  }
}

/** Git's blob id of a file's text (what the contents API calls the file's `sha`). */
export function blobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
}
