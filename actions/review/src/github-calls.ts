import type { ActionCalls } from '@movies/actions-lib';
import type { ReviewCommand } from './main';

/** The GitHub API calls of each command (the workflow tests derive `permissions:` from this). */
export const GITHUB_CALLS: ActionCalls<ReviewCommand> = {
  record: ['issues.listComments', 'issues.createComment', 'issues.updateComment', 'checks.create'],
  verify: [
    'repos.compareCommitsWithBasehead',
    'repos.listPullRequestsAssociatedWithCommit',
    'issues.listComments',
    'checks.listForRef',
  ],
  'mark-outdated': ['pulls.list', 'issues.listComments', 'issues.updateComment'],
};
