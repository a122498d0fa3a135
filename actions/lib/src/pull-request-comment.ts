import * as core from '@actions/core';
import { upsertCommentSection, type UpsertedComment } from './comment';
import { githubClient, readEvent, repoFromEnv } from './github';
import { writeSummary } from './summary';

/** The pull request number of the triggering event, or null when it is not a pull_request event. */
export function pullRequestNumber(): number | null {
  const event = readEvent();
  const pull = event.payload.pull_request as { number?: unknown } | undefined;
  if (!event.name.startsWith('pull_request') || typeof pull?.number !== 'number') return null;
  return pull.number;
}

/**
 * On a pull_request event, writes `section` of the environment's PR comment (see
 * `upsertCommentSection`); on any other event does nothing and resolves null.
 */
export async function upsertPullRequestSection(options: {
  environment: string;
  section: string;
  body: string;
}): Promise<UpsertedComment | null> {
  const issueNumber = pullRequestNumber();
  if (issueNumber === null) return null;
  const { owner, repo } = repoFromEnv();
  return upsertCommentSection({ octokit: githubClient(), owner, repo, issueNumber, ...options });
}

/**
 * Publishes a change report: the job summary always, and on a pull_request event the
 * environment's PR comment section too.
 */
export async function publishSection(options: {
  environment: string;
  section: string;
  markdown: string;
}): Promise<UpsertedComment | null> {
  writeSummary(options.markdown);
  const comment = await upsertPullRequestSection({
    environment: options.environment,
    section: options.section,
    body: options.markdown,
  });
  if (comment)
    core.info(`${comment.created ? 'created' : 'updated'} the PR comment ${comment.url}`);
  return comment;
}
