/**
 * The GitHub REST endpoints our actions call, with the job-token permissions GitHub requires for
 * each (from GitHub's "Permissions required for GitHub Apps" tables; the `GITHUB_TOKEN` is an
 * installation token of the GitHub Actions app). Each action declares the endpoints every one of
 * its commands calls (`src/github-calls.ts`); the workflow tests derive each job's required
 * `permissions:` from those declarations, and the fake GitHub answers 403 to any call whose
 * token lacks them, so a declaration that misses a call fails the action's own tests.
 */

/**
 * Permission scopes as a workflow's `permissions:` block spells them (`administration` is never
 * granted to a workflow token; only people and apps configuring the repository hold it).
 */
export const PERMISSION_SCOPES = [
  'actions',
  'administration',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'pull-requests',
  'statuses',
] as const;
export type PermissionScope = (typeof PERMISSION_SCOPES)[number];
export type PermissionLevel = 'read' | 'write';
/** A job's `permissions:` (a scope left out is `none`, as GitHub treats a job-level block). */
export type JobPermissions = Partial<Record<PermissionScope, PermissionLevel | 'none'>>;
/** One set of permissions that lets a call through; an endpoint may accept several sets. */
export type PermissionSet = Partial<Record<PermissionScope, PermissionLevel>>;

export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The REST route with `{placeholders}`, as GitHub's docs write it. */
  route: string;
  /** Any one of these sets suffices (GitHub's "at least one of the following permission sets"). */
  accepted: PermissionSet[];
  /** The documentation page GitHub's error messages point to. */
  docs: string;
}

const read = (scope: PermissionScope): PermissionSet => ({ [scope]: 'read' });
const write = (scope: PermissionScope): PermissionSet => ({ [scope]: 'write' });

export const GITHUB_ENDPOINTS = {
  'issues.listComments': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    accepted: [read('pull-requests'), read('issues')],
    docs: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  },
  'issues.createComment': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    accepted: [write('pull-requests'), write('issues')],
    docs: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  },
  'issues.updateComment': {
    method: 'PATCH',
    route: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    accepted: [write('pull-requests'), write('issues')],
    docs: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  },
  'issues.getComment': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    accepted: [read('pull-requests'), read('issues')],
    docs: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
  },
  'issues.listForRepo': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/issues',
    accepted: [read('issues')],
    docs: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
  },
  'issues.create': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/issues',
    accepted: [write('issues')],
    docs: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  },
  'issues.update': {
    method: 'PATCH',
    route: '/repos/{owner}/{repo}/issues/{issue_number}',
    accepted: [write('issues')],
    docs: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  },
  'issues.addLabels': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    accepted: [write('pull-requests'), write('issues')],
    docs: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
  },
  'pulls.get': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/pulls/{pull_number}',
    accepted: [read('pull-requests')],
    docs: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  },
  'pulls.list': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/pulls',
    accepted: [read('pull-requests')],
    docs: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
  },
  'pulls.listFiles': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    accepted: [read('pull-requests')],
    docs: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests-files',
  },
  'pulls.create': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/pulls',
    accepted: [write('pull-requests')],
    docs: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  },
  'pulls.merge': {
    method: 'PUT',
    route: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    accepted: [write('contents')],
    docs: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
  },
  'pulls.update': {
    method: 'PATCH',
    route: '/repos/{owner}/{repo}/pulls/{pull_number}',
    accepted: [write('pull-requests')],
    docs: 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request',
  },
  'repos.listPullRequestsAssociatedWithCommit': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    accepted: [{ contents: 'read', 'pull-requests': 'read' }],
    docs: 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
  },
  'repos.compareCommitsWithBasehead': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/compare/{basehead}',
    accepted: [read('contents')],
    docs: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
  },
  'repos.getBranch': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/branches/{branch}',
    accepted: [read('contents')],
    docs: 'https://docs.github.com/rest/branches/branches#get-a-branch',
  },
  'repos.getContent': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/contents/{path}',
    accepted: [read('contents')],
    docs: 'https://docs.github.com/rest/repos/contents#get-repository-content',
  },
  'repos.createOrUpdateFileContents': {
    method: 'PUT',
    route: '/repos/{owner}/{repo}/contents/{path}',
    accepted: [write('contents')],
    docs: 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents',
  },
  'git.getRef': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/git/ref/{ref}',
    accepted: [read('contents')],
    docs: 'https://docs.github.com/rest/git/refs#get-a-reference',
  },
  'git.createRef': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/git/refs',
    accepted: [write('contents')],
    docs: 'https://docs.github.com/rest/git/refs#create-a-reference',
  },
  'git.updateRef': {
    method: 'PATCH',
    route: '/repos/{owner}/{repo}/git/refs/{ref}',
    accepted: [write('contents')],
    docs: 'https://docs.github.com/rest/git/refs#update-a-reference',
  },
  'repos.getBranchProtection': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/branches/{branch}/protection',
    accepted: [read('administration')],
    docs: 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection',
  },
  'repos.updateBranchProtection': {
    method: 'PUT',
    route: '/repos/{owner}/{repo}/branches/{branch}/protection',
    accepted: [write('administration')],
    docs: 'https://docs.github.com/rest/branches/branch-protection#update-branch-protection',
  },
  'actions.setCustomOidcSubClaimForRepo': {
    method: 'PUT',
    route: '/repos/{owner}/{repo}/actions/oidc/customization/sub',
    accepted: [write('administration')],
    docs: 'https://docs.github.com/rest/actions/oidc#set-the-customization-template-for-an-oidc-subject-claim-for-a-repository',
  },
  'repos.createCommitStatus': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/statuses/{sha}',
    accepted: [write('statuses')],
    docs: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
  },
  'checks.create': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/check-runs',
    accepted: [write('checks')],
    docs: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
  },
  'checks.listForRef': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    accepted: [read('checks')],
    docs: 'https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference',
  },
  'repos.listDeployments': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/deployments',
    accepted: [read('deployments')],
    docs: 'https://docs.github.com/rest/deployments/deployments#list-deployments',
  },
  'repos.createDeployment': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/deployments',
    accepted: [write('deployments')],
    docs: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
  },
  'repos.listDeploymentStatuses': {
    method: 'GET',
    route: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    accepted: [read('deployments')],
    docs: 'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
  },
  'repos.createDeploymentStatus': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    accepted: [write('deployments')],
    docs: 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status',
  },
  'actions.createWorkflowDispatch': {
    method: 'POST',
    route: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    accepted: [write('actions')],
    docs: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof GITHUB_ENDPOINTS;

const RANK = { none: 0, read: 1, write: 2 } as const;

/** Whether `granted` satisfies one permission set (write implies read). */
export function grantsSet(granted: JobPermissions, set: PermissionSet): boolean {
  return Object.entries(set).every(
    ([scope, level]) => RANK[granted[scope as PermissionScope] ?? 'none'] >= RANK[level],
  );
}

export function allowsCall(granted: JobPermissions, endpoint: EndpointName): boolean {
  return GITHUB_ENDPOINTS[endpoint].accepted.some((set) => grantsSet(granted, set));
}

/** GitHub's spelling of a set in the `x-accepted-github-permissions` header: `pull_requests=write`. */
export function headerSpelling(set: PermissionSet): string {
  return Object.entries(set)
    .map(([scope, level]) => `${scope.replace(/-/g, '_')}=${level}`)
    .join(',');
}

/** The calls `granted` does not allow, each with the permission sets that would. */
export function missingPermissions(
  granted: JobPermissions,
  calls: readonly EndpointName[],
): string[] {
  return [...new Set(calls)]
    .filter((call) => !allowsCall(granted, call))
    .map(
      (call) =>
        `${call} (${GITHUB_ENDPOINTS[call].method} ${GITHUB_ENDPOINTS[call].route}) needs ${GITHUB_ENDPOINTS[
          call
        ].accepted
          .map((set) =>
            Object.entries(set)
              .map(([scope, level]) => `${scope}: ${level}`)
              .join(' + '),
          )
          .join(' or ')}`,
    );
}

/** The smallest permissions that allow every call: the first accepted set of each, merged. */
export function permissionsFor(calls: readonly EndpointName[] | ConditionalCalls): JobPermissions {
  if (!Array.isArray(calls)) return permissionsFor(everyCall(calls as ConditionalCalls));
  const result: JobPermissions = {};
  for (const call of calls as readonly EndpointName[]) {
    if (allowsCall(result, call)) continue;
    for (const [scope, level] of Object.entries(GITHUB_ENDPOINTS[call].accepted[0]!)) {
      const key = scope as PermissionScope;
      if (RANK[level] > RANK[result[key] ?? 'none']) result[key] = level;
    }
  }
  return result;
}

/** What a command calls when the calls depend on the event or on an input. */
export interface ConditionalCalls {
  /** Made on every run. */
  always?: readonly EndpointName[];
  /** Made only on pull_request (and pull_request_target) events. */
  onPullRequest?: readonly EndpointName[];
  /** Made only when the named input is empty (e.g. apply looks the reviewed plan up without plan-hash). */
  unlessInput?: Readonly<Record<string, readonly EndpointName[]>>;
  /** Made only when the named input is set. */
  whenInput?: Readonly<Record<string, readonly EndpointName[]>>;
}

export type CommandCalls = readonly EndpointName[] | ConditionalCalls;

/** What each command of an action calls (an action's `src/github-calls.ts`). */
export type ActionCalls<Command extends string> = Record<Command, CommandCalls>;

/** Every call a command can make, whatever the event and inputs (the tests' tokens). */
export function everyCall(entry: CommandCalls): EndpointName[] {
  if (Array.isArray(entry)) return [...(entry as readonly EndpointName[])];
  const conditional = entry as ConditionalCalls;
  return [
    ...new Set([
      ...(conditional.always ?? []),
      ...(conditional.onPullRequest ?? []),
      ...Object.values(conditional.unlessInput ?? {}).flat(),
      ...Object.values(conditional.whenInput ?? {}).flat(),
    ]),
  ];
}

/**
 * The calls of a step: `pullRequest` when the job can run on a pull_request event; an input
 * `undefined` is not given, a string with `${{ }}` may be either (both branches count).
 */
export function callsOf(
  entry: CommandCalls,
  step: { pullRequest: boolean; inputs: Readonly<Record<string, string | undefined>> },
): EndpointName[] {
  if (Array.isArray(entry)) return [...(entry as readonly EndpointName[])];
  const conditional = entry as ConditionalCalls;
  const set = (name: string): 'yes' | 'no' | 'maybe' => {
    const value = step.inputs[name];
    if (value === undefined || value === '') return 'no';
    return value.includes('${{') ? 'maybe' : 'yes';
  };
  const calls = [...(conditional.always ?? [])];
  if (step.pullRequest) calls.push(...(conditional.onPullRequest ?? []));
  for (const [input, made] of Object.entries(conditional.unlessInput ?? {}))
    if (set(input) !== 'yes') calls.push(...made);
  for (const [input, made] of Object.entries(conditional.whenInput ?? {}))
    if (set(input) !== 'no') calls.push(...made);
  return [...new Set(calls)];
}
