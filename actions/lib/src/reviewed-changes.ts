import { ACTIONS_BOT_LOGIN, environmentMarker, isAuthoredBy, parseSections } from './comment';
import type { GitHubClient, RepoRef } from './github';

/**
 * What a pull request's plan job showed reviewers for one environment: the commit it planned
 * (head and base), and a hash per tool (Terraform: the plan's changes; kOps: the rendered
 * cluster spec; Helm: the rendered manifests with the images left out). The plan job writes it
 * twice: in the environment's PR comment (the `review` section, for people) and as a check run
 * of the GitHub Actions app on the planned head commit (people cannot create or edit check runs,
 * so an edited comment is detected).
 */
export interface ReviewRecord {
  environment: string;
  head: string;
  base: string;
  terraform?: string;
  kops?: string;
  helm?: string;
}

export type ReviewedTool = 'terraform' | 'kops' | 'helm';

/** A reviewed record found on a merged pull request. */
export interface AcceptedRecord extends ReviewRecord {
  pullRequest: number;
  mergeCommit: string;
}

export type RefusalReason =
  | 'comment-not-from-bot'
  | 'planned-other-commit'
  | 'no-review-record'
  | 'comment-differs-from-record';

export interface Refusal {
  pullRequest: number;
  reason: RefusalReason;
  detail: string;
}

export const REVIEW_SECTION = 'review';
/** The app whose check runs carry review records: the one behind the workflow token. */
export const REVIEW_APP = 'github-actions';

export function reviewCheckName(environment: string): string {
  return `reviewed plan: ${environment}`;
}

const RECORD_MARKER = /<!-- review-record:(\{[^\n]*?\}) -->/;
const HEX = /^[0-9a-f]{40,64}$/;

function parseRecord(text: string, environment: string): ReviewRecord | null {
  const json = RECORD_MARKER.exec(text)?.[1];
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<ReviewRecord>;
    if (
      value.environment !== environment ||
      !HEX.test(value.head ?? '') ||
      !HEX.test(value.base ?? '')
    )
      return null;
    return value as ReviewRecord;
  } catch {
    return null;
  }
}

export function recordMarker(record: ReviewRecord): string {
  return `<!-- review-record:${JSON.stringify(record)} -->`;
}

/** The `review` section of the environment comment: what was planned, and whether it is outdated. */
export function renderReviewSection(
  record: ReviewRecord,
  options: { outdatedBy?: string; baseRef?: string } = {},
): string {
  const lines = [recordMarker(record)];
  if (options.outdatedBy) {
    lines.push(
      `> [!WARNING]\n> **Outdated plan:** \`${options.baseRef ?? 'main'}\` moved to \`${options.outdatedBy.slice(0, 12)}\` since this plan was made. Update the branch (or re-run the plan) to plan against it.`,
    );
  }
  lines.push(
    `Planned commit \`${record.head.slice(0, 12)}\` (the pull request's head) on base \`${record.base.slice(0, 12)}\`${options.baseRef ? ` (\`${options.baseRef}\`)` : ''}.`,
  );
  return lines.join('\n\n');
}

/** The record in a review section (or a check run's text), or null. */
export function readRecord(text: string, environment: string): ReviewRecord | null {
  return parseRecord(text, environment);
}

/** Records what the plan job showed: the check run on the head commit (the comment is separate). */
export async function writeReviewCheck(
  octokit: GitHubClient,
  repo: RepoRef,
  record: ReviewRecord,
  options: { conclusion: 'success' | 'failure'; summary: string; detailsUrl?: string },
): Promise<void> {
  await octokit.rest.checks.create({
    ...repo,
    name: reviewCheckName(record.environment),
    head_sha: record.head,
    status: 'completed',
    conclusion: options.conclusion,
    external_id: `review:${record.environment}`,
    ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
    output: {
      title:
        options.conclusion === 'success'
          ? `${record.environment}: plan recorded`
          : `${record.environment}: the plan failed`,
      summary: options.summary.slice(0, 60_000),
      text: recordMarker(record),
    },
  });
}

interface PullSummary {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
  base: { ref: string };
}

/**
 * The pull requests merged into `baseRef` by the commits after `since` up to `sha` (only `sha`'s
 * own when `since` is empty): each exactly the pull request whose merge commit is on the branch
 * (never an unmerged pull request that merely contains a commit), newest first.
 */
export async function mergedPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  options: { sha: string; since?: string; baseRef?: string },
): Promise<PullSummary[]> {
  const baseRef = options.baseRef ?? 'main';
  let commits = [options.sha];
  if (options.since && options.since !== options.sha) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${options.since}...${options.sha}`,
      per_page: 250,
    });
    commits = data.commits.map((commit) => commit.sha).reverse();
    if (!commits.includes(options.sha)) commits.unshift(options.sha);
  }
  const pulls: PullSummary[] = [];
  for (const commit of commits) {
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: commit,
    });
    for (const pull of data as unknown as PullSummary[]) {
      if (
        pull.merged_at &&
        pull.merge_commit_sha === commit &&
        pull.base.ref === baseRef &&
        !pulls.some((known) => known.number === pull.number)
      )
        pulls.push(pull);
    }
  }
  return pulls;
}

function tfHashOf(body: string): string | undefined {
  return /<!-- plan-hash:([0-9a-f]{64}) -->/.exec(parseSections(body).get('terraform') ?? '')?.[1];
}

/**
 * The reviewed records of `environment` on the pull requests merged after `since` up to `sha`.
 * A pull request's record counts only when the bot's own comment (author and type checked) shows
 * it for the pull request's head commit and the GitHub Actions app's check run on that commit
 * carries the same record; everything else is refused with a named reason.
 */
export async function reviewedRecords(
  octokit: GitHubClient,
  repo: RepoRef,
  options: { environment: string; sha: string; since?: string; author?: string; baseRef?: string },
): Promise<{ records: AcceptedRecord[]; refusals: Refusal[]; pullRequests: number[] }> {
  const { environment } = options;
  const author = options.author ?? ACTIONS_BOT_LOGIN;
  const marker = environmentMarker(environment);
  const pulls = await mergedPullRequests(octokit, repo, options);
  const records: AcceptedRecord[] = [];
  const refusals: Refusal[] = [];
  for (const pull of pulls) {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: pull.number,
      per_page: 100,
    });
    const marked = comments.filter((comment) => comment.body?.includes(marker));
    const ours = marked.filter((comment) => isAuthoredBy(comment, author));
    if (ours.length === 0) {
      if (marked.length > 0)
        refusals.push({
          pullRequest: pull.number,
          reason: 'comment-not-from-bot',
          detail: `#${pull.number}: the ${environment} comment${marked.length === 1 ? ' is' : 's are'} by ${marked.map((c) => c.user?.login ?? 'unknown').join(', ')}, not ${author}`,
        });
      continue; // the pull request did not plan this environment
    }
    const body = ours[0]!.body ?? '';
    const shown = parseRecord(parseSections(body).get(REVIEW_SECTION) ?? '', environment);
    if (!shown || shown.head !== pull.head.sha) {
      refusals.push({
        pullRequest: pull.number,
        reason: 'planned-other-commit',
        detail: `#${pull.number}: the ${environment} plan shown is of ${shown ? `commit ${shown.head.slice(0, 12)}` : 'no recorded commit'}, not of the merged head ${pull.head.sha.slice(0, 12)}`,
      });
      continue;
    }
    const { data } = await octokit.rest.checks.listForRef({
      ...repo,
      ref: pull.head.sha,
      check_name: reviewCheckName(environment),
      per_page: 100,
    });
    const run = data.check_runs.find(
      (candidate) => candidate.app?.slug === REVIEW_APP && candidate.conclusion === 'success',
    );
    const recorded = run ? parseRecord(run.output?.text ?? '', environment) : null;
    if (!recorded) {
      refusals.push({
        pullRequest: pull.number,
        reason: 'no-review-record',
        detail: `#${pull.number}: no successful "${reviewCheckName(environment)}" check run of the ${REVIEW_APP} app on ${pull.head.sha.slice(0, 12)}`,
      });
      continue;
    }
    const commentHash = tfHashOf(body);
    const differs = (['terraform', 'kops', 'helm'] as const).filter(
      (tool) => recorded[tool] !== shown[tool],
    );
    if (differs.length > 0 || (recorded.terraform && commentHash !== recorded.terraform)) {
      refusals.push({
        pullRequest: pull.number,
        reason: 'comment-differs-from-record',
        detail: `#${pull.number}: the ${environment} comment does not show what the plan job recorded (${differs.length > 0 ? differs.join(', ') : 'terraform'} differ): it was edited after the plan`,
      });
      continue;
    }
    records.push({ ...recorded, pullRequest: pull.number, mergeCommit: pull.merge_commit_sha! });
  }
  return { records, refusals, pullRequests: pulls.map((pull) => pull.number) };
}

/** Why nothing reviewed matched, for an error message: the refusals, or that nothing planned it. */
export function describeRefusals(
  environment: string,
  found: { refusals: Refusal[]; pullRequests: number[] },
): string {
  if (found.refusals.length > 0)
    return found.refusals.map((refusal) => `${refusal.reason}: ${refusal.detail}`).join('; ');
  if (found.pullRequests.length === 0)
    return 'no pull request was merged in that range (a direct push or a dispatch carries no review)';
  return `none of ${found.pullRequests.map((n) => `#${n}`).join(', ')} planned ${environment}`;
}
