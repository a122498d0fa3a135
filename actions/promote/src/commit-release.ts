import * as core from '@actions/core';
import {
  loadEnvironment,
  SERVICES,
  writeSummary,
  type GitHubClient,
  type RepoRef,
} from '@movies/actions-lib';
import { releaseFile } from './gate';
import { imagesTable, parseImages, renderRelease } from './release';
import { commitFile } from './release-commit';

export interface CommitReleaseOptions {
  octokit: GitHubClient;
  repo: RepoRef;
  workspace: string;
  environment: string;
  /** JSON `{service: {tag, digest}}` as pushed by ci.yml. */
  imagesJson: string;
  branch: string;
  sourceSha: string;
}

/**
 * `command: commit-release`: after ci.yml pushed a commit's images, records them in the
 * release.yaml of the environment that follows main (`promotion.auto_deploy: true`, i.e. dev),
 * as a commit on `branch`. Other environments change only through promotion pull requests.
 */
export async function runCommitRelease(options: CommitReleaseOptions): Promise<string | null> {
  const { environment } = options;
  const loaded = loadEnvironment(options.workspace, environment);
  if (!loaded.env.promotion.auto_deploy) {
    throw new Error(
      `${environment} has promotion.auto_deploy: false: its release.yaml changes only through promotion pull requests`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(options.imagesJson);
  } catch (error) {
    throw new Error(`input images is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const images = parseImages(parsed, 'input images');
  const missing = SERVICES.filter((service) => !images[service]);
  if (missing.length > 0)
    throw new Error(
      `input images lacks ${missing.join(', ')}: every service's image is recorded together`,
    );
  const content = renderRelease(
    images,
    `Images of commit ${options.sourceSha}, recorded by ci.yml: ${environment} follows main.`,
  );
  const commit = await commitFile({
    octokit: options.octokit,
    repo: options.repo,
    branch: options.branch,
    path: releaseFile(environment),
    content,
    message: `${environment}: release images of ${options.sourceSha.slice(0, 12)}`,
  });
  core.setOutput('commit-sha', commit ?? '');
  writeSummary(
    commit
      ? `### ${environment} release updated\n\nCommit \`${commit}\` on \`${options.branch}\`.\n\n${imagesTable(images)}`
      : `### ${environment} release unchanged\n\n${releaseFile(environment)} already pins these images.`,
  );
  return commit;
}
