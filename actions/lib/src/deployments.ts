import type { GitHubClient, RepoRef } from './github';

export interface LastDeployment {
  id: number;
  sha: string;
  /** What the deploying action recorded (the helm action: images, registry, reviewed hashes). */
  payload: unknown;
}

/** How many deployments back we look for one that succeeded. */
const SEARCH_DEPTH = 50;

/**
 * The newest deployment of `environment` that reached `success` (a later deployment marks it
 * `inactive`, which does not undo that it ran): what the environment was last deployed from.
 * Null when none succeeded yet.
 */
export async function lastSuccessfulDeployment(
  octokit: GitHubClient,
  repo: RepoRef,
  environment: string,
): Promise<LastDeployment | null> {
  const { data: deployments } = await octokit.rest.repos.listDeployments({
    ...repo,
    environment,
    per_page: SEARCH_DEPTH,
  });
  for (const deployment of deployments) {
    const statuses = await octokit.paginate(octokit.rest.repos.listDeploymentStatuses, {
      ...repo,
      deployment_id: deployment.id,
      per_page: 100,
    });
    if (statuses.some((status) => status.state === 'success'))
      return { id: deployment.id, sha: deployment.sha, payload: deployment.payload };
  }
  return null;
}
