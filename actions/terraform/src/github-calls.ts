import type { ActionCalls } from '@movies/actions-lib';
import type { Command } from './inputs';

const COMMENT = ['issues.listComments', 'issues.createComment', 'issues.updateComment'] as const;

/**
 * The GitHub API calls of each command (the workflow tests derive each job's `permissions:` from
 * this; the tests run the action with a token that allows exactly these calls).
 */
export const GITHUB_CALLS: ActionCalls<Command> = {
  // The plan is commented on the pull request of the event (or the pull-request input).
  plan: { onPullRequest: COMMENT, whenInput: { 'pull-request': COMMENT } },
  'destroy-plan': { onPullRequest: COMMENT, whenInput: { 'pull-request': COMMENT } },
  apply: {
    unlessInput: {
      'plan-hash': [
        // Finding the reviewed plan: merged pull requests, the bot's comment, the review check run.
        'repos.compareCommitsWithBasehead',
        'repos.listPullRequestsAssociatedWithCommit',
        'issues.listComments',
        'checks.listForRef',
        // Reporting the apply on that pull request.
        ...COMMENT,
      ],
    },
    whenInput: { 'pull-request': COMMENT },
  },
  // A destroy applies only the plan-hash it is given.
  destroy: { whenInput: { 'pull-request': COMMENT } },
  output: [],
};
