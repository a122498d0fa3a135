import type { ActionCalls } from '@movies/actions-lib';
import type { KopsCommand } from './inputs';

const COMMENT = ['issues.listComments', 'issues.createComment', 'issues.updateComment'] as const;

/**
 * The GitHub API calls of each command: only diff writes the kops section of the environment's
 * PR comment (the workflow tests derive each job's `permissions:` from this).
 */
export const GITHUB_CALLS: ActionCalls<KopsCommand> = {
  render: [],
  diff: COMMENT,
  apply: [],
  validate: [],
  'export-kubeconfig': [],
  delete: [],
};
