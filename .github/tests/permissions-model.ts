// What each job's steps need from the job token, derived from the actions' own declarations
// (actions/<name>/src/github-calls.ts, the same maps the actions' tests run with as tokens) and,
// for third-party actions, from what they do (checkout reads contents, the AWS credentials action
// needs an OIDC token, github-script's calls are read from its script). Never a copy of the YAML.
import fs from 'node:fs';
import path from 'node:path';
import {
  callsOf,
  GITHUB_ENDPOINTS,
  missingPermissions,
  type CommandCalls,
  type EndpointName,
  type JobPermissions,
  type PermissionLevel,
  type PermissionScope,
  type PermissionSet,
} from '@movies/actions-lib';
import { parse } from 'yaml';
import type { WorkflowFile, Yaml } from './workflow-model';

export interface StepNeeds {
  calls: EndpointName[];
  /** Permissions a step needs that are not REST calls (the OIDC token, checkout). */
  extra: PermissionSet[];
  /** Why, for messages: `./actions/terraform apply`, `actions/checkout`. */
  what: string;
}

/** Third-party actions and what they need (facts of those actions, not of our YAML). */
const THIRD_PARTY: Record<string, PermissionSet[]> = {
  'actions/checkout': [{ contents: 'read' }],
  'aws-actions/configure-aws-credentials': [{ 'id-token': 'write' }],
  // Artifacts, caches and setup actions use the runner's own token, not GITHUB_TOKEN.
  'actions/upload-artifact': [],
  'actions/download-artifact': [],
  'actions/cache': [],
  'actions/setup-go': [],
  'actions/setup-node': [],
  'hashicorp/setup-terraform': [],
  'docker/setup-buildx-action': [],
  'docker/build-push-action': [],
  'aws-actions/amazon-ecr-login': [],
};

type Calls = readonly EndpointName[] | Record<string, CommandCalls>;

function declaredCalls(repoRoot: string, action: string): Calls {
  const file = path.join(repoRoot, action, 'src', 'github-calls.ts');
  if (!fs.existsSync(file))
    throw new Error(
      `${action} declares no GitHub calls: ${path.relative(repoRoot, file)} is missing`,
    );
  // Jest compiles the TypeScript module; the same map the action's tests issue tokens from.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { GITHUB_CALLS: Calls }).GITHUB_CALLS;
}

function actionInputDefault(repoRoot: string, action: string, input: string): string | undefined {
  const doc = parse(fs.readFileSync(path.join(repoRoot, action, 'action.yml'), 'utf8')) as Yaml;
  const value = doc.inputs?.[input]?.default;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The calls of a local action step: its command (or mode), every command when that is an
 * expression; calls made only on pull requests or with/without an input count as the step's
 * workflow and `with:` say.
 */
function localActionNeeds(repoRoot: string, step: Yaml, pullRequest: boolean): StepNeeds {
  const action = String(step.uses).replace(/^\.\//, '');
  const calls = declaredCalls(repoRoot, action);
  // An input the step's `if:` requires to be non-empty (`if: X != ''` with `input: ${{ X }}`) is given.
  const guard = String(step.if ?? '');
  const inputs = Object.fromEntries(
    Object.entries((step.with ?? {}) as Record<string, unknown>).map(([key, value]) => {
      const inner = /^\$\{\{\s*([^}]+?)\s*\}\}$/.exec(String(value))?.[1];
      return [key, inner && guard.includes(`${inner} != ''`) ? 'given' : String(value)];
    }),
  );
  if (Array.isArray(calls)) return { calls: [...calls], extra: [], what: `./${action}` };
  const selector =
    'command' in (step.with ?? {}) || action !== 'actions/environments' ? 'command' : 'mode';
  const chosen = String(
    step.with?.[selector] ?? actionInputDefault(repoRoot, action, selector) ?? '',
  );
  const record = calls as Record<string, CommandCalls>;
  const keys = chosen.includes('${{') ? Object.keys(record) : [chosen];
  for (const key of keys)
    if (!(key in record))
      throw new Error(`./${action}: no declared calls for ${selector} "${key}"`);
  return {
    calls: keys.flatMap((key) => callsOf(record[key]!, { pullRequest, inputs })),
    extra: [],
    what: `./${action} ${chosen}`,
  };
}

/** github-script: the `github.rest.<scope>.<method>` calls its script makes. */
function scriptNeeds(step: Yaml): StepNeeds {
  const script = String(step.with?.script ?? '');
  const calls = [...script.matchAll(/github\.rest\.(\w+)\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`);
  for (const call of calls)
    if (!(call in GITHUB_ENDPOINTS))
      throw new Error(`github-script calls ${call}, which GITHUB_ENDPOINTS does not know`);
  return { calls: calls as EndpointName[], extra: [], what: 'actions/github-script' };
}

export function stepNeeds(repoRoot: string, step: Yaml, pullRequest = true): StepNeeds {
  const uses = typeof step.uses === 'string' ? step.uses : '';
  if (uses.startsWith('./actions/')) return localActionNeeds(repoRoot, step, pullRequest);
  if (uses.startsWith('./.github/actions/')) return { calls: [], extra: [], what: uses };
  if (uses === '') {
    const run = String(step.run ?? '');
    if (/\bgh\s+(api|workflow|pr|release|issue)\b/.test(run))
      throw new Error(
        `a run step calls the gh CLI: declare its calls (step: ${step.name ?? run.slice(0, 40)})`,
      );
    return { calls: [], extra: [], what: 'run' };
  }
  const name = uses.split('@')[0]!;
  if (name === 'actions/github-script') return scriptNeeds(step);
  const extra = THIRD_PARTY[name];
  if (!extra)
    throw new Error(`${name}: unknown third-party action, add what it needs to THIRD_PARTY`);
  return { calls: [], extra, what: name };
}

const RANK: Record<string, number> = { none: 0, read: 1, write: 2 };

/** Whether a workflow's jobs can run on a pull request event (a reusable workflow: its callers decide). */
export function runsOnPullRequests(wf: WorkflowFile): boolean {
  const on = wf.doc.on;
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  return triggers.some((trigger: string) => trigger.startsWith('pull_request'));
}

function jobPermissions(job: Yaml): JobPermissions {
  const value = job.permissions;
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') throw new Error(`permissions "${value}": grant scopes per job`);
  return value as JobPermissions;
}

/** Problems of one job: calls its permissions do not allow, and scopes it grants that nothing needs. */
export function jobPermissionProblems(
  repoRoot: string,
  wf: WorkflowFile,
  id: string,
  job: Yaml,
): string[] {
  const at = `${wf.file} jobs.${id}`;
  const granted = jobPermissions(job);
  const problems: string[] = [];
  let needs: StepNeeds[];
  let calledJobs: Array<{ id: string; permissions: JobPermissions }> = [];
  if (typeof job.uses === 'string') {
    // A reusable workflow's jobs get at most what the calling job grants.
    const called = parse(fs.readFileSync(path.join(repoRoot, job.uses), 'utf8')) as Yaml;
    calledJobs = Object.entries((called.jobs ?? {}) as Record<string, Yaml>).map(
      ([calledId, calledJob]) => ({
        id: calledId,
        permissions: jobPermissions(calledJob),
      }),
    );
    needs = [];
    for (const calledJob of calledJobs) {
      for (const [scope, level] of Object.entries(calledJob.permissions)) {
        if (RANK[granted[scope as PermissionScope] ?? 'none']! < RANK[level ?? 'none']!)
          problems.push(
            `${at}: ${job.uses} jobs.${calledJob.id} needs ${scope}: ${level}, which this calling job does not grant`,
          );
      }
    }
  } else {
    needs = ((job.steps ?? []) as Yaml[]).map((step) =>
      stepNeeds(repoRoot, step, runsOnPullRequests(wf)),
    );
    const calls = needs.flatMap((need) => need.calls);
    for (const missing of missingPermissions(granted, calls)) problems.push(`${at}: ${missing}`);
    for (const need of needs) {
      for (const set of need.extra) {
        for (const [scope, level] of Object.entries(set)) {
          if (RANK[granted[scope as PermissionScope] ?? 'none']! < RANK[String(level)]!)
            problems.push(`${at}: ${need.what} needs ${scope}: ${level}`);
        }
      }
    }
  }
  // Exactly what the steps call: every granted scope must be needed at that level by something.
  for (const [scope, level] of Object.entries(granted)) {
    if (level === 'none') continue;
    const justified =
      calledJobs.some((calledJob) => calledJob.permissions[scope as PermissionScope] === level) ||
      needs.some(
        (need) =>
          need.extra.some((set) => set[scope as PermissionScope] === level) ||
          need.calls.some((call) =>
            GITHUB_ENDPOINTS[call].accepted.some(
              (set) => (set as Partial<Record<string, PermissionLevel>>)[scope] === level,
            ),
          ),
      );
    if (!justified)
      problems.push(`${at}: grants ${scope}: ${level}, which none of its steps needs`);
  }
  return problems;
}

export function permissionProblems(repoRoot: string, workflows: WorkflowFile[]): string[] {
  return workflows.flatMap((wf) =>
    Object.entries((wf.doc.jobs ?? {}) as Record<string, Yaml>).flatMap(([id, job]) =>
      jobPermissionProblems(repoRoot, wf, id, job),
    ),
  );
}
