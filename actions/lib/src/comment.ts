import type { GitHubClient } from './github';

/** GitHub's limit for an issue comment body. */
export const COMMENT_LIMIT = 65_536;
/** What we aim for: below the limit with a margin for characters GitHub counts differently. */
export const COMMENT_BUDGET = COMMENT_LIMIT - 1_536;
/** Sections render in this order (what was planned and whether it is outdated first); others follow alphabetically. */
export const SECTION_ORDER = ['review', 'terraform', 'kops', 'helm'];

export const TRUNCATION_NOTE =
  "\n\n… _truncated to fit GitHub's 65,536-character comment limit: the full output is in the job summary of the workflow run._";

/** Who the workflow token comments as: the GitHub Actions app's bot user. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/** Whether a comment was written by `author` (a bot account, so `type` must be Bot too). */
export function isAuthoredBy(
  comment: { user?: { login?: string; type?: string } | null },
  author: string,
): boolean {
  return (
    comment.user?.login === author && (!author.endsWith('[bot]') || comment.user.type === 'Bot')
  );
}

export function environmentMarker(environment: string): string {
  return `<!-- movies-gitops:env=${environment} -->`;
}

const SECTION_PATTERN = /<!-- section:([A-Za-z0-9_-]+) -->\n?([\s\S]*?)\n?<!-- \/section:\1 -->/g;

/** The named sections of an environment comment body, in their order of appearance. */
export function parseSections(body: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const match of body.matchAll(SECTION_PATTERN)) sections.set(match[1]!, match[2]!);
  return sections;
}

function sectionRank(name: string): [number, string] {
  const index = SECTION_ORDER.indexOf(name);
  return [index === -1 ? SECTION_ORDER.length : index, name];
}

function orderedNames(sections: Map<string, string>): string[] {
  return [...sections.keys()].sort((a, b) => {
    const [ra, na] = sectionRank(a);
    const [rb, nb] = sectionRank(b);
    return ra - rb || na.localeCompare(nb);
  });
}

function assemble(environment: string, sections: Map<string, string>): string {
  const parts = [environmentMarker(environment), `## Environment \`${environment}\``];
  for (const name of orderedNames(sections)) {
    parts.push(`<!-- section:${name} -->\n${sections.get(name)!}\n<!-- /section:${name} -->`);
  }
  return `${parts.join('\n\n')}\n`;
}

const CLOSING_FENCE = '\n```';

/** The text cut to at most `maxLength` characters at a line end, fences closed, ending with the note. */
export function truncateSection(text: string, maxLength: number): string {
  let cut = text.slice(0, Math.max(0, maxLength - TRUNCATION_NOTE.length - CLOSING_FENCE.length));
  const lineEnd = cut.lastIndexOf('\n');
  if (lineEnd > cut.length / 2) cut = cut.slice(0, lineEnd);
  // Do not leave a code fence open: the rest of the comment would render as code.
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += CLOSING_FENCE;
  return cut + TRUNCATION_NOTE;
}

/**
 * The full comment body for the sections, cut to `budget` characters by shortening the longest
 * section (repeatedly) and ending it with a pointer to the job summary.
 */
export function renderCommentBody(
  environment: string,
  sections: Map<string, string>,
  budget = COMMENT_BUDGET,
): string {
  const working = new Map(sections);
  let body = assemble(environment, working);
  while (body.length > budget) {
    const longest = [...working.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    if (!longest || longest[1].length <= TRUNCATION_NOTE.length + CLOSING_FENCE.length) {
      throw new Error(`the ${environment} comment cannot be cut below ${budget} characters`);
    }
    const [name, text] = longest;
    working.set(name, truncateSection(text, text.length - (body.length - budget)));
    body = assemble(environment, working);
  }
  return body;
}

export interface UpsertCommentSectionOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  environment: string;
  section: string;
  body: string;
  /**
   * The login the token comments as (default `github-actions[bot]`): only its own comment is
   * edited, so a comment someone else wrote with the same marker is never taken for ours.
   */
  author?: string;
}

export interface UpsertedComment {
  commentId: number;
  url: string;
  created: boolean;
}

/**
 * Writes one named section of the environment's PR comment: finds our own comment by its hidden
 * marker (creating it the first time), replaces only this section, keeps the others, and edits
 * it in place. The whole body stays under GitHub's comment limit.
 */
export async function upsertCommentSection(
  options: UpsertCommentSectionOptions,
): Promise<UpsertedComment> {
  const { octokit, owner, repo, issueNumber, environment, section, body } = options;
  const author = options.author ?? ACTIONS_BOT_LOGIN;
  if (!/^[A-Za-z0-9_-]+$/.test(section))
    throw new Error(`section name ${JSON.stringify(section)} must be letters, digits, - or _`);
  const marker = environmentMarker(environment);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const existing = comments.find(
    (comment) => isAuthoredBy(comment, author) && comment.body?.includes(marker),
  );
  const sections = existing ? parseSections(existing.body ?? '') : new Map<string, string>();
  sections.set(section, body.trim());
  const newBody = renderCommentBody(environment, sections);
  if (existing) {
    if (existing.body !== newBody) {
      await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body: newBody,
      });
    }
    return { commentId: existing.id, url: existing.html_url, created: false };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body: newBody,
  });
  return { commentId: data.id, url: data.html_url, created: true };
}
