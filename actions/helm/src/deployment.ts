import type { GitHubClient, RepoRef } from '@movies/actions-lib';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error';

/** A GitHub deployment of one environment, whose status the action moves along. */
export class Deployment {
  private constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
    readonly id: number,
    private readonly logUrl: string | undefined,
  ) {}

  static async create(
    octokit: GitHubClient,
    repo: RepoRef,
    options: {
      ref: string;
      environment: string;
      payload: Record<string, unknown>;
      description: string;
      logUrl?: string;
    },
  ): Promise<Deployment> {
    const response = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: options.ref,
      environment: options.environment,
      auto_merge: false,
      required_contexts: [],
      payload: options.payload,
      description: options.description,
      production_environment: options.environment === 'prod',
      transient_environment: false,
    });
    const data = response.data as { id?: number; message?: string };
    if (typeof data.id !== 'number') {
      throw new Error(
        `GitHub did not create the deployment: ${data.message ?? `status ${response.status}`}`,
      );
    }
    return new Deployment(octokit, repo, data.id, options.logUrl);
  }

  async setStatus(
    state: DeploymentState,
    description: string,
    environmentUrl?: string,
  ): Promise<void> {
    await this.octokit.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: this.id,
      state,
      // GitHub caps the description at 140 characters.
      description: description.slice(0, 140),
      ...(environmentUrl ? { environment_url: environmentUrl } : {}),
      ...(this.logUrl ? { log_url: this.logUrl } : {}),
      auto_inactive: state === 'success',
    });
  }
}

/** The URL of this workflow run, for the deployment's log link. */
export function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  if (!GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  return `${GITHUB_SERVER_URL || 'https://github.com'}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`;
}
