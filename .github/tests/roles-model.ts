// Which AWS role each job assumes, and the OIDC claims GitHub gives that job, derived from the
// workflows as GitHub runs them: the `sub` context (the GitHub environment the job is bound to,
// else `pull_request` for pull request events — pull_request_target too — else the branch ref)
// and the `job_workflow_ref` (the workflow file the job is defined in, reusable ones included, at
// the ref of the run: a pull request's merge ref for pull_request, the base branch for
// pull_request_target, main for runs that can only start from main). The roles' trust
// (terraform/modules/github-oidc) must allow exactly these and nothing else.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { WorkflowFile, Yaml } from './workflow-model';

export type RoleKind = 'plan' | 'apply' | 'image-push';

export interface RoleUse {
  role: RoleKind;
  /** `<workflow file> <job id>`, with `(via <caller file>)` for a reusable workflow's job. */
  job: string;
  /** The OIDC `sub` context after `repo:<owner>/<name>:`. */
  context: string;
  /** The `job_workflow_ref` after `<owner>/<name>/.github/workflows/`. */
  workflowRef: string;
  /** Whether the job runs with a GitHub environment (its deployment branches and reviewers). */
  environment: boolean;
}

const ROLE_VARIABLES: Array<[RegExp, RoleKind]> = [
  [/^\$\{\{ fromJSON\(vars\.PLAN_ROLE_ARNS\)\[[\w.]+\] \}\}$/, 'plan'],
  [/^\$\{\{ vars\.APPLY_ROLE_ARN \}\}$/, 'apply'],
  [/^\$\{\{ vars\.IMAGE_PUSH_ROLE_ARN \}\}$/, 'image-push'],
];

/** When a job (or step) can run: the events, and whether only from main. */
interface Scope {
  events: string[];
  mainOnly: boolean;
}

function triggersOf(doc: Yaml): string[] {
  const on = doc.on;
  return typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
}

/** What a condition's text restricts: `github.event_name == 'x'` and `github.ref == 'refs/heads/main'`. */
function narrowed(scope: Scope, text: string): Scope {
  const named = [...text.matchAll(/github\.event_name == '(\w+)'/g)].map((m) => m[1]!);
  return {
    events: named.length > 0 ? scope.events.filter((event) => named.includes(event)) : scope.events,
    mainOnly: scope.mainOnly || /github\.ref == 'refs\/heads\/main'/.test(text),
  };
}

const STATUS_FUNCTION = /\b(always|cancelled|failure|success)\(\)/;

/**
 * A job's scope: its workflow's (or caller's), narrowed by its `if:` and by every job it needs
 * (a skipped need skips it, unless its `if:` uses a status function without requiring that
 * need's success).
 */
function jobScope(jobs: Record<string, Yaml>, id: string, outer: Scope): Scope {
  const job = jobs[id]!;
  const condition = String(job.if ?? '');
  let scope = narrowed(outer, condition);
  for (const need of ([] as string[]).concat(job.needs ?? [])) {
    if (!jobs[need]) continue;
    const inherits =
      !STATUS_FUNCTION.test(condition) || condition.includes(`needs.${need}.result == 'success'`);
    if (!inherits) continue;
    const upstream = jobScope(jobs, need, outer);
    scope = {
      events: scope.events.filter((event) => upstream.events.includes(event)),
      mainOnly: scope.mainOnly || upstream.mainOnly,
    };
  }
  return scope;
}

/** A step's scope: its `if:`, with the job's `env:` values it reads. */
function stepScope(job: Yaml, step: Yaml, scope: Scope): Scope {
  const condition = String(step.if ?? '');
  const env = [...condition.matchAll(/env\.(\w+)/g)].map((m) => String(job.env?.[m[1]!] ?? ''));
  return narrowed(scope, [condition, ...env].join(' '));
}

/**
 * A reusable workflow's job guarded by a boolean input alone (`if: inputs.recovery`) runs only
 * for callers that can set it: not when the caller leaves it at a false default.
 */
function mayRunWith(called: Yaml, job: Yaml, callerJob: Yaml): boolean {
  const input = /^\s*(?:\$\{\{\s*)?inputs\.([\w-]+)\s*(?:\}\})?\s*$/.exec(
    String(job.if ?? ''),
  )?.[1];
  if (!input) return true;
  const given = callerJob.with?.[input];
  const value = given ?? called.on?.workflow_call?.inputs?.[input]?.default;
  return !(value === false || value === undefined || value === '' || value === 'false');
}

function roleOf(step: Yaml, at: string): RoleKind | null {
  if (!String(step.uses ?? '').startsWith('aws-actions/configure-aws-credentials@')) return null;
  const value = String(step.with?.['role-to-assume'] ?? '');
  const found = ROLE_VARIABLES.find(([pattern]) => pattern.test(value));
  if (!found) throw new Error(`${at}: role-to-assume ${JSON.stringify(value)} is no known role`);
  return found[1];
}

function refOf(event: string, mainOnly: boolean): string {
  if (event === 'pull_request') return 'refs/pull/*/merge';
  if (event === 'pull_request_target' || mainOnly) return 'refs/heads/main';
  return 'refs/heads/*';
}

export function roleUses(repoRoot: string, workflows: WorkflowFile[]): RoleUse[] {
  const uses: RoleUse[] = [];
  const visit = (file: string, doc: Yaml, outer: Scope, caller?: { file: string; job: Yaml }) => {
    const jobs = (doc.jobs ?? {}) as Record<string, Yaml>;
    for (const [id, job] of Object.entries(jobs)) {
      const at = `${file} ${id}${caller ? ` (via ${caller.file})` : ''}`;
      if (caller && !mayRunWith(doc, job, caller.job)) continue;
      const scope = jobScope(jobs, id, outer);
      if (typeof job.uses === 'string' && job.uses.startsWith('./.github/workflows/')) {
        const called = parse(fs.readFileSync(path.join(repoRoot, job.uses), 'utf8')) as Yaml;
        visit(path.basename(job.uses), called, scope, { file, job });
        continue;
      }
      const environment = job.environment !== undefined;
      for (const step of (job.steps ?? []) as Yaml[]) {
        const role = roleOf(step, at);
        if (!role) continue;
        const { events, mainOnly } = stepScope(job, step, scope);
        for (const event of events) {
          const ref = refOf(event, mainOnly);
          const context = environment
            ? 'environment:<env>'
            : event.startsWith('pull_request')
              ? 'pull_request'
              : `ref:${ref}`;
          uses.push({ role, job: at, context, workflowRef: `${file}@${ref}`, environment });
        }
      }
    }
  };
  for (const wf of workflows) {
    const on = wf.doc.on as Yaml;
    const events = triggersOf(wf.doc).filter((event) => event !== 'workflow_call');
    if (events.length === 0) continue;
    const mainOnly = events.every(
      (event) =>
        event === 'schedule' ||
        (event === 'push' && JSON.stringify(on?.push?.branches) === '["main"]'),
    );
    visit(path.basename(wf.file), wf.doc, { events, mainOnly });
  }
  return uses;
}

export const ROLE_NAMES: Record<RoleKind, string> = {
  plan: 'movies-plan-<env>',
  apply: 'movies-apply-<env>',
  'image-push': 'movies-image-push',
};

/** One trust entry: a role, the claims it must accept, and the jobs that present them. */
export interface TrustEntry {
  role: string;
  context: string;
  workflowRef: string;
  jobs: string;
}

/** The distinct trust entries (role, sub context, job_workflow_ref), with their jobs, sorted. */
export function trustEntries(uses: RoleUse[]): TrustEntry[] {
  const entries = new Map<
    string,
    { role: string; context: string; workflowRef: string; jobs: Set<string> }
  >();
  for (const use of uses) {
    const key = `${use.role} ${use.context} ${use.workflowRef}`;
    const entry = entries.get(key) ?? {
      role: ROLE_NAMES[use.role],
      context: use.context,
      workflowRef: use.workflowRef,
      jobs: new Set<string>(),
    };
    entry.jobs.add(use.job);
    entries.set(key, entry);
  }
  return [...entries.values()]
    .map((entry) => ({ ...entry, jobs: [...entry.jobs].sort().join('; ') }))
    .sort((a, b) =>
      `${a.role} ${a.context} ${a.workflowRef}`.localeCompare(
        `${b.role} ${b.context} ${b.workflowRef}`,
      ),
    );
}

/** Rules every role use must follow; problems name the job. */
export function roleProblems(uses: RoleUse[]): string[] {
  const problems: string[] = [];
  for (const use of uses) {
    const ref = use.workflowRef.split('@')[1];
    if (use.role === 'apply' && !use.environment)
      problems.push(`${use.job}: assumes an apply role without a GitHub environment`);
    if (use.role === 'apply' && ref !== 'refs/heads/main')
      problems.push(`${use.job}: assumes an apply role from ${ref}, not only from main`);
    if (use.role === 'plan' && use.environment)
      problems.push(`${use.job}: assumes a plan role in a GitHub environment`);
    if (use.role !== 'plan' && use.context === 'pull_request')
      problems.push(`${use.job}: a pull request job assumes the ${use.role} role`);
    if (ref === 'refs/heads/*')
      problems.push(`${use.job}: can start from any branch with the ${use.role} role`);
  }
  return [...new Set(problems)];
}
