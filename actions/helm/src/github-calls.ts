import type { ActionCalls } from '@movies/actions-lib';
import type { HelmCommand } from './inputs';

/**
 * The GitHub API calls of each command (the workflow tests derive each job's `permissions:` from
 * this; the tests run the action with a token that allows exactly these calls).
 */
export const GITHUB_CALLS: ActionCalls<HelmCommand> = {
  diff: { onPullRequest: ['issues.listComments', 'issues.createComment', 'issues.updateComment'] },
  upgrade: {
    always: [
      // The GitHub deployment and its statuses.
      'repos.createDeployment',
      'repos.createDeploymentStatus',
    ],
    // Without images: those of the last successful deployment (dev's redeploy).
    unlessInput: { images: ['repos.listDeployments', 'repos.listDeploymentStatuses'] },
    // The review records of the pull requests merged since the last deployment.
    whenInput: {
      'verify-reviewed': [
        'repos.compareCommitsWithBasehead',
        'repos.listPullRequestsAssociatedWithCommit',
        'issues.listComments',
        'checks.listForRef',
      ],
    },
  },
  rollback: [],
  uninstall: [],
  test: [],
};
