import { succeededDeployments, type GitHubClient, type RepoRef } from '@movies/actions-lib';
import { parseImages, type ReleaseImages } from './release';

/** The newest deployment of an environment whose latest status is `success`. */
export interface HealthyDeployment {
  id: number;
  sha: string;
  ref: string;
  createdAt: string;
  /** The run or page that reported success (`log_url`/`target_url` of the status). */
  statusUrl: string;
  environmentUrl: string;
  images: ReleaseImages;
  /** Newer deployments that are not healthy (failed, in progress), newest first. */
  newerUnhealthy: Array<{ id: number; state: string }>;
}

/** How many deployments back we look for a healthy one. */
const SEARCH_DEPTH = 30;

/**
 * Reads the images a deployment ran from its payload. The helm action creates deployments with
 * `payload.images = {service: {tag, digest}}`.
 */
export function imagesFromPayload(payload: unknown, deploymentId: number): ReleaseImages {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new Error(`deployment ${deploymentId} has a payload that is not JSON`);
    }
  }
  const images = (value as { images?: unknown } | null)?.images;
  if (images === undefined)
    throw new Error(
      `deployment ${deploymentId} has no payload.images: it was not created by the helm action`,
    );
  return parseImages(images, `deployment ${deploymentId} payload.images`);
}

/**
 * Finds what `environment` runs healthy: deployments newest first; the first whose latest
 * status is `success`. `inactive` ones were superseded; failed or unfinished newer ones are
 * reported in `newerUnhealthy` (Helm rolls a failed upgrade back, so the healthy one still runs).
 */
export async function latestHealthyDeployment(
  octokit: GitHubClient,
  repo: RepoRef,
  environment: string,
): Promise<HealthyDeployment | null> {
  const { data: deployments } = await octokit.rest.repos.listDeployments({
    ...repo,
    environment,
    per_page: SEARCH_DEPTH,
  });
  const newerUnhealthy: HealthyDeployment['newerUnhealthy'] = [];
  for (const deployment of deployments) {
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
      ...repo,
      deployment_id: deployment.id,
      per_page: 1,
    });
    const latest = statuses[0];
    const state = latest?.state ?? 'pending';
    if (state === 'success' && latest) {
      return {
        id: deployment.id,
        sha: deployment.sha,
        ref: deployment.ref,
        createdAt: deployment.created_at,
        statusUrl: latest.log_url || latest.target_url || '',
        environmentUrl: latest.environment_url ?? '',
        images: imagesFromPayload(deployment.payload, deployment.id),
        newerUnhealthy,
      };
    }
    if (state !== 'inactive') newerUnhealthy.push({ id: deployment.id, state });
  }
  return null;
}

/** A deployment of an environment that reached `success` at some point, with what it ran. */
export interface SucceededDeployment {
  id: number;
  sha: string;
  images: ReleaseImages;
}

/** The recent deployments of `environment` that succeeded, newest first, with their images. */
export async function deploymentsThatSucceeded(
  octokit: GitHubClient,
  repo: RepoRef,
  environment: string,
): Promise<SucceededDeployment[]> {
  return (await succeededDeployments(octokit, repo, environment)).map((deployment) => ({
    id: deployment.id,
    sha: deployment.sha,
    images: imagesFromPayload(deployment.payload, deployment.id),
  }));
}
