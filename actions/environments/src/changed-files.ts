import type { GitHubClient, RepoRef, WorkflowEvent } from '@movies/actions-lib';

/** GitHub lists at most this many files of a pull request, and of a comparison. */
export const PULL_FILES_CAP = 3000;
export const COMPARE_FILES_CAP = 300;

/** Changed files, or `unknown` (with why) when the event gives no diff and everything counts. */
export type ChangedFiles = { kind: 'files'; files: string[] } | { kind: 'unknown'; reason: string };

/** Splits the `changed-files` input: one path per line, blank lines ignored. */
export function parseChangedFilesInput(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const ZERO_SHA = /^0+$/;

/** A renamed file counts under both names: the old path's environment changed too. */
function fileNames(files: Array<{ filename: string; previous_filename?: string }>): string[] {
  return files.flatMap((file) =>
    file.previous_filename ? [file.filename, file.previous_filename] : [file.filename],
  );
}

/**
 * Asks the GitHub API what an event changed: a pull request's files, or a push's comparison
 * between `before` and `after`. Events without a diff (workflow_dispatch, schedule, a new
 * branch) and lists GitHub may have cut come back as `unknown`.
 */
export async function changedFilesOf(
  octokit: () => GitHubClient,
  repo: RepoRef,
  event: WorkflowEvent,
): Promise<ChangedFiles> {
  const payload = event.payload as {
    pull_request?: { number?: number };
    before?: string;
    after?: string;
  };
  if (event.name === 'pull_request' || event.name === 'pull_request_target') {
    const number = payload.pull_request?.number;
    if (typeof number !== 'number')
      throw new Error(`the ${event.name} event payload has no pull_request.number`);
    const client = octokit();
    const files = await client.paginate(client.rest.pulls.listFiles, {
      ...repo,
      pull_number: number,
      per_page: 100,
    });
    if (files.length >= PULL_FILES_CAP)
      return {
        kind: 'unknown',
        reason: `pull request #${number} changes ${files.length}+ files (GitHub lists at most ${PULL_FILES_CAP})`,
      };
    return {
      kind: 'files',
      files: fileNames(files),
    };
  }
  if (event.name === 'push') {
    const { before, after } = payload;
    if (!before || !after) throw new Error('the push event payload has no before/after commits');
    if (ZERO_SHA.test(before))
      return {
        kind: 'unknown',
        reason: 'the push created a branch (no previous commit to compare with)',
      };
    if (ZERO_SHA.test(after)) return { kind: 'files', files: [] };
    return compareFiles(octokit(), repo, before, after, 'the push');
  }
  return { kind: 'unknown', reason: `a ${event.name} event has no diff` };
}

/**
 * The files changed between two commits (`base...head`), or `unknown` when GitHub may have cut
 * the list (it lists at most 300 files of a comparison).
 */
export async function compareFiles(
  client: GitHubClient,
  repo: RepoRef,
  base: string,
  head: string,
  what = `${base.slice(0, 12)}...${head.slice(0, 12)}`,
): Promise<ChangedFiles> {
  const { data } = await client.rest.repos.compareCommitsWithBasehead({
    ...repo,
    basehead: `${base}...${head}`,
    per_page: 1,
  });
  const files = data.files ?? [];
  if (files.length >= COMPARE_FILES_CAP)
    return {
      kind: 'unknown',
      reason: `${what} changes ${files.length}+ files (GitHub lists at most ${COMPARE_FILES_CAP})`,
    };
  return {
    kind: 'files',
    files: fileNames(files),
  };
}
