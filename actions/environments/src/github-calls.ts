import type { ActionCalls } from '@movies/actions-lib';
import type { Mode } from './main';

/** The GitHub API calls of each mode (the workflow tests derive `permissions:` from this). */
export const GITHUB_CALLS: ActionCalls<Mode> = {
  affected: ['pulls.listFiles', 'repos.compareCommitsWithBasehead'],
  all: [],
  one: [],
  deploy: [
    'repos.listDeployments',
    'repos.listDeploymentStatuses',
    'repos.compareCommitsWithBasehead',
  ],
};
