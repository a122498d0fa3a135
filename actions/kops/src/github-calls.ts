import type { ActionCalls } from '@movies/actions-lib';
import type { KopsCommand } from './inputs';

/**
 * The GitHub API calls of each command: only diff on a pull request writes the kops section of
 * the environment's PR comment (the workflow tests derive each job's `permissions:` from this).
 */
export const GITHUB_CALLS: ActionCalls<KopsCommand> = {
  render: [],
  diff: { onPullRequest: ['issues.listComments', 'issues.createComment', 'issues.updateComment'] },
  apply: [],
  validate: [],
  'export-kubeconfig': [],
  delete: [],
};
