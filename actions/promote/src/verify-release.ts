import * as core from '@actions/core';
import {
  describeError,
  loadEnvironment,
  writeSummary,
  type GitHubClient,
  type LoadedEnvironment,
  type RepoRef,
} from '@movies/actions-lib';
import { deploymentsThatSucceeded } from './deployments';
import { releaseFile } from './gate';
import type { ImageRegistry } from './registry';
import { imagesTable, releaseEntries, repositoryOf, type ReleaseImages } from './release';

export interface VerifyReleaseOptions {
  octokit: GitHubClient;
  repo: RepoRef;
  workspace: string;
  environment: string;
  registryFor(target: LoadedEnvironment): ImageRegistry;
}

/**
 * `command: verify-release`, the gate again at merge time, in the deploy job of a promoted
 * environment: every image of the merged release.yaml must be one the source environment ran in
 * a deployment that succeeded (it may have moved on since the pull request was approved; a
 * deployment that never succeeded does not count) and must still be in ECR. Fails listing every
 * problem, before anything is deployed. The environment that follows main has nothing to verify.
 */
export async function runVerifyRelease(options: VerifyReleaseOptions): Promise<string[]> {
  const target = loadEnvironment(options.workspace, options.environment);
  const source = target.env.promotion.from;
  if (!source) {
    core.info(
      `${target.name} follows main: its images come from ci, there is no promotion to verify`,
    );
    return [];
  }
  const reasons: string[] = [];
  const images: ReleaseImages = {};
  for (const [service, image] of releaseEntries(target.release)) {
    if (!image.digest) reasons.push(`${service}: ${releaseFile(target.name)} pins no digest`);
    else images[service] = { tag: image.tag, digest: image.digest };
  }
  const healthy = await deploymentsThatSucceeded(options.octokit, options.repo, source);
  for (const [service, image] of Object.entries(images) as Array<
    [keyof ReleaseImages, { tag: string; digest: string }]
  >) {
    const ran = healthy.find(
      (deployment) =>
        deployment.images[service]?.digest === image.digest &&
        deployment.images[service]?.tag === image.tag,
    );
    if (!ran)
      reasons.push(
        `${service}: ${image.digest} (tag ${image.tag.slice(0, 12)}) never ran in a successful ${source} deployment (searched ${healthy.length})`,
      );
  }
  const registry = options.registryFor(target);
  for (const [service, image] of Object.entries(images)) {
    try {
      if (!(await registry.hasImage(repositoryOf(service), image.digest)))
        reasons.push(
          `${service}: ${image.digest} is not in the registry repository ${repositoryOf(service)}`,
        );
    } catch (error) {
      reasons.push(`${service}: the registry cannot be asked: ${describeError(error)}`);
    }
  }
  writeSummary(
    reasons.length === 0
      ? `### Release of \`${target.name}\` verified at merge time\n\nEvery image ran healthy in \`${source}\` and is in ECR.\n\n${imagesTable(images)}`
      : `### Release of \`${target.name}\` refused at merge time\n\n${reasons.map((r) => `- ${r}`).join('\n')}`,
  );
  if (reasons.length > 0)
    throw new Error(
      `the merged ${releaseFile(target.name)} does not pass the promotion gate any more (nothing was deployed):\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
    );
  return reasons;
}
