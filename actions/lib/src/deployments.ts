import type { GitHubClient, RepoRef } from './github';

export interface LastDeployment {
  id: number;
  sha: string;
  /** What the deploying action recorded (the helm action: images, registry, reviewed hashes). */
  payload: unknown;
}

/** How many deployments back we look for one that succeeded. */
const SEARCH_DEPTH = 50;

/** The payload of the deployment a teardown records: the environment no longer exists. */
export const TEARDOWN_PAYLOAD = { teardown: true } as const;

export function isTeardown(payload: unknown): boolean {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return false;
    }
  }
  return (value as { teardown?: unknown } | null)?.teardown === true;
}

/**
 * The recent deployments of `environment` that reached `success` (a later deployment marks
 * them `inactive`, which does not undo that they ran), newest first, back to the last teardown
 * (what ran before it is gone); with `first`, only the newest one.
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
    const succeededOnce = statuses.some((status) => status.state === 'success');
    if (succeededOnce && isTeardown(deployment.payload)) break;
    if (succeededOnce) {
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
