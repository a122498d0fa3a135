import type { FakeGitHub } from './fake-github';

/**
 * A GitHub deployment of `environment` at `sha` with these statuses (default: one `success`),
 * made through the fake's API with a job token, as a finished deploy leaves it. Its id.
 */
export async function recordDeployment(
  github: FakeGitHub,
  options: { owner: string; repo: string; environment: string; sha: string; states?: string[] },
): Promise<number> {
  const { owner, repo, environment, sha, states = ['success'] } = options;
  const octokit = github.client(
    github.tokenFor(['repos.createDeployment', 'repos.createDeploymentStatus']),
  );
  const { data } = await octokit.rest.repos.createDeployment({
    owner,
    repo,
    ref: sha,
    environment,
    required_contexts: [],
    auto_merge: false,
  });
  const id = (data as { id: number }).id;
  for (const state of states)
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state: state as 'success',
    });
  return id;
}
