import type { ActionCalls } from '@movies/actions-lib';
import type { PromoteCommand } from './main';

const DEPLOYMENTS = ['repos.listDeployments', 'repos.listDeploymentStatuses'] as const;

/**
 * The GitHub API calls of each command (the workflow tests derive each job's `permissions:` from
 * this; the tests run the action with a token that allows exactly these calls).
 */
export const GITHUB_CALLS: ActionCalls<PromoteCommand> = {
  gate: [
    'pulls.listFiles',
    'repos.getContent',
    ...DEPLOYMENTS,
    'repos.createCommitStatus',
    'issues.listComments',
    'issues.createComment',
    'issues.updateComment',
  ],
  'open-pr': [
    ...DEPLOYMENTS,
    'git.getRef',
    'git.createRef',
    'repos.getContent',
    'repos.createOrUpdateFileContents',
    'pulls.list',
    'pulls.create',
    'pulls.update',
    'issues.addLabels',
  ],
  'verify-release': DEPLOYMENTS,
};
