import type { ActionCalls } from '@movies/actions-lib';
import type { HelmCommand } from './inputs';

/**
 * The GitHub API calls of each command (the workflow tests derive each job's `permissions:` from
 * this; the tests run the action with a token that allows exactly these calls).
 */
export const GITHUB_CALLS: ActionCalls<HelmCommand> = {
  diff: ['issues.listComments', 'issues.createComment', 'issues.updateComment'],
  upgrade: [
    // The GitHub deployment and its statuses.
    'repos.createDeployment',
    'repos.createDeploymentStatus',
    // The images of the last successful deployment (a redeploy of the environment that follows main).
    'repos.listDeployments',
    'repos.listDeploymentStatuses',
    // verify-reviewed: the review records of the pull requests merged since the last deployment.
    'repos.compareCommitsWithBasehead',
    'repos.listPullRequestsAssociatedWithCommit',
    'issues.listComments',
    'checks.listForRef',
  ],
  rollback: [],
  uninstall: [],
  test: [],
};
