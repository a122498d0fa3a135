import type { ActionCalls } from '@movies/actions-lib';
import type { TeardownCommand } from './main';

/** The GitHub API calls of each command (the workflow tests derive `permissions:` from this). */
export const GITHUB_CALLS: ActionCalls<TeardownCommand> = {
  inspect: [],
  record: ['repos.createDeployment', 'repos.createDeploymentStatus'],
};
