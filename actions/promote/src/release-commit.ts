import type { GitHubClient, RepoRef } from '@movies/actions-lib';

export interface ReleaseCommit {
  octokit: GitHubClient;
  repo: RepoRef;
  branch: string;
  path: string;
  content: string;
  message: string;
}

/**
 * Writes one file on a branch through the contents API (a commit by the token's identity,
 * no checkout or git push needed). Returns the new commit sha, or null when the file already
 * had this content.
 */
export async function commitFile(options: ReleaseCommit): Promise<string | null> {
  const { octokit, repo, branch, path, content, message } = options;
  let currentSha: string | undefined;
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref: branch });
    if (Array.isArray(data) || data.type !== 'file')
      throw new Error(`${path} on ${branch} is not a file`);
    currentSha = data.sha;
    if ('content' in data && Buffer.from(data.content, 'base64').toString('utf8') === content)
      return null;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const { data } = await octokit.rest.repos.createOrUpdateFileContents({
    ...repo,
    path,
    branch,
    message,
    content: Buffer.from(content, 'utf8').toString('base64'),
    ...(currentSha ? { sha: currentSha } : {}),
  });
  return data.commit.sha ?? null;
}
