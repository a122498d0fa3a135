import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENVIRONMENTS_DIR, type GitHubClient, type RepoRef } from '@movies/actions-lib';

const RELEASE_FILE = /^environments\/[^/]+\/release\.yaml$/;

/**
 * The environments as the pull request would leave them, without running or trusting its
 * checkout: a temporary copy of the base checkout's `environments/` (schemas, env.yaml) with
 * each release.yaml the pull request changes fetched from its head commit through the API.
 * The gate job checks out the base commit, so the gate's own code is never the pull request's.
 */
export async function overlayPullRequestReleases(options: {
  octokit: GitHubClient;
  repo: RepoRef;
  baseWorkspace: string;
  headSha: string;
  changedFiles: string[];
}): Promise<{ root: string; remove(): void }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'promotion-'));
  const remove = (): void => fs.rmSync(root, { recursive: true, force: true });
  try {
    fs.cpSync(
      path.join(options.baseWorkspace, ENVIRONMENTS_DIR),
      path.join(root, ENVIRONMENTS_DIR),
      {
        recursive: true,
      },
    );
    for (const file of options.changedFiles.filter((name) => RELEASE_FILE.test(name))) {
      const target = path.join(root, file);
      let text: string | null = null;
      try {
        const { data } = await options.octokit.rest.repos.getContent({
          ...options.repo,
          path: file,
          ref: options.headSha,
        });
        if (!Array.isArray(data) && data.type === 'file' && 'content' in data) {
          text = Buffer.from(data.content, 'base64').toString('utf8');
        }
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
      if (text === null) {
        fs.rmSync(target, { force: true }); // removed by the pull request
      } else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
      }
    }
    return { root, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
