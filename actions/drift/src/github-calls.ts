import type { EndpointName } from '@movies/actions-lib';

/** The GitHub API calls of the drift action (one command; the workflow tests derive `permissions:`). */
export const GITHUB_CALLS: readonly EndpointName[] = [
  'issues.listForRepo',
  'issues.create',
  'issues.update',
  'issues.createComment',
];
