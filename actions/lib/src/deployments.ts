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
 * The recent deployments of `environment` that reached `success` (a later deployment marks
 * them `inactive`, which does not undo that they ran), newest first; with `first`, only the
 * newest one.
 */
export async function succeededDeployments(
  octokit: GitHubClient,
  repo: RepoRef,
  environment: string,
  options: { first?: boolean } = {},
): Promise<LastDeployment[]> {
  const { data: deployments } = await octokit.rest.repos.listDeployments({
    ...repo,
    environment,
    per_page: SEARCH_DEPTH,
  });
  const succeeded: LastDeployment[] = [];
  for (const deployment of deployments) {
    const statuses = await octokit.paginate(octokit.rest.repos.listDeploymentStatuses, {
      ...repo,
      deployment_id: deployment.id,
      per_page: 100,
    });
    if (statuses.some((status) => status.state === 'success')) {
      succeeded.push({ id: deployment.id, sha: deployment.sha, payload: deployment.payload });
      if (options.first) break;
    }
  }
  return succeeded;
}

/** What the environment was last deployed from: its newest deployment that succeeded, or null. */
export async function lastSuccessfulDeployment(
  octokit: GitHubClient,
  repo: RepoRef,
  environment: string,
): Promise<LastDeployment | null> {
  return (await succeededDeployments(octokit, repo, environment, { first: true }))[0] ?? null;
}
