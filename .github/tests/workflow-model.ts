// Reads the workflows and local actions under .github/ and checks them against the rules of
// .github/README.md: local actions are called with declared inputs only (required ones
// present), third-party actions are pinned to a commit with the version in a comment, and every
// job has a timeout and its own permissions. The checks return problems instead of asserting,
// so the tests can also show that they catch a bad workflow.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// Parsed workflow YAML is walked dynamically; the tests assert its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Yaml = Record<string, any>;

export interface WorkflowFile {
  /** Repository-relative path. */
  file: string;
  text: string;
  doc: Yaml;
}

export function readYamlFile(repoRoot: string, file: string): WorkflowFile {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return { file, text, doc: (parse(text) ?? {}) as Yaml };
}

export function workflowFiles(repoRoot: string): WorkflowFile[] {
  const dir = path.join(repoRoot, '.github', 'workflows');
  return fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => readYamlFile(repoRoot, `.github/workflows/${name}`));
}

export function localActionFiles(repoRoot: string): WorkflowFile[] {
  const dir = path.join(repoRoot, '.github', 'actions');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'action.yml')))
    .sort()
    .map((name) => readYamlFile(repoRoot, `.github/actions/${name}/action.yml`));
}

export interface StepRef {
  file: string;
  where: string;
  uses: string;
  with: Yaml;
}

/** Every `uses:` of a workflow (steps and reusable-workflow jobs) or a composite action. */
export function usesOf(wf: WorkflowFile): StepRef[] {
  const refs: StepRef[] = [];
  const jobs = (wf.doc.jobs ?? {}) as Record<string, Yaml>;
  for (const [id, job] of Object.entries(jobs)) {
    if (typeof job.uses === 'string')
      refs.push({ file: wf.file, where: `jobs.${id}`, uses: job.uses, with: job.with ?? {} });
    (job.steps ?? []).forEach((step: Yaml, index: number) => {
      if (typeof step.uses === 'string')
        refs.push({
          file: wf.file,
          where: `jobs.${id}.steps[${index}]`,
          uses: step.uses,
          with: step.with ?? {},
        });
    });
  }
  ((wf.doc.runs?.steps ?? []) as Yaml[]).forEach((step, index) => {
    if (typeof step.uses === 'string')
      refs.push({
        file: wf.file,
        where: `runs.steps[${index}]`,
        uses: step.uses,
        with: step.with ?? {},
      });
  });
  return refs;
}

interface DeclaredInputs {
  declared: string[];
  required: string[];
}

/** Inputs of a local action (`./actions/x`, `./.github/actions/x`) or reusable workflow (`./.github/workflows/x.yml`). */
export function declaredInputs(repoRoot: string, uses: string): DeclaredInputs | string {
  const target = path.join(repoRoot, uses);
  let inputs: Record<string, Yaml>;
  if (/\.ya?ml$/.test(uses)) {
    if (!fs.existsSync(target)) return `${uses} does not exist`;
    const doc = (parse(fs.readFileSync(target, 'utf8')) ?? {}) as Yaml;
    const call = doc.on?.workflow_call;
    if (call === undefined) return `${uses} is not a reusable workflow (no on.workflow_call)`;
    inputs = call?.inputs ?? {};
  } else {
    const file = ['action.yml', 'action.yaml']
      .map((name) => path.join(target, name))
      .find((candidate) => fs.existsSync(candidate));
    if (!file) return `${uses} is not an action: ${uses}/action.yml does not exist`;
    inputs = ((parse(fs.readFileSync(file, 'utf8')) ?? {}) as Yaml).inputs ?? {};
  }
  return {
    declared: Object.keys(inputs),
    required: Object.entries(inputs)
      .filter(([, spec]) => spec?.required === true && spec?.default === undefined)
      .map(([name]) => name),
  };
}

/** Local `uses:` with undeclared inputs or missing required ones. */
export function localUseProblems(repoRoot: string, refs: StepRef[]): string[] {
  const problems: string[] = [];
  for (const ref of refs.filter((r) => r.uses.startsWith('./'))) {
    const at = `${ref.file} ${ref.where} (${ref.uses})`;
    const inputs = declaredInputs(repoRoot, ref.uses);
    if (typeof inputs === 'string') {
      problems.push(`${at}: ${inputs}`);
      continue;
    }
    for (const name of Object.keys(ref.with)) {
      if (!inputs.declared.includes(name))
        problems.push(
          `${at}: input "${name}" is not declared (declared: ${inputs.declared.join(', ') || 'none'})`,
        );
    }
    for (const name of inputs.required) {
      if (!(name in ref.with)) problems.push(`${at}: required input "${name}" is missing`);
    }
  }
  return problems;
}

const PINNED = /^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@([0-9a-f]{40})$/;

/** Third-party `uses:` not pinned to a full commit sha with a `# vX.Y.Z` comment on the same line. */
export function pinProblems(wf: WorkflowFile): string[] {
  const problems: string[] = [];
  wf.text.split('\n').forEach((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$/.exec(line);
    if (!match || match[1]!.startsWith('./')) return;
    const [, ref, comment] = match;
    if (ref!.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref!))
        problems.push(`${wf.file}:${index + 1}: ${ref} must be pinned by digest`);
      return;
    }
    if (!PINNED.test(ref!))
      problems.push(`${wf.file}:${index + 1}: ${ref} is not pinned to a 40-hex commit sha`);
    else if (!/^#\s*v\d+(\.\d+)*\s*$/.test(comment ?? ''))
      problems.push(`${wf.file}:${index + 1}: ${ref} has no "# vX.Y.Z" version comment`);
  });
  return problems;
}

const WRITE_SCOPES_ALLOWED_AT_TOP: string[] = [];

/** Jobs without timeout-minutes or permissions; top-level permissions wider than read. */
export function jobProblems(wf: WorkflowFile): string[] {
  const problems: string[] = [];
  const top = wf.doc.permissions;
  if (top === undefined)
    problems.push(`${wf.file}: no top-level permissions (use {} and grant per job)`);
  else if (
    typeof top === 'string'
      ? top !== 'read-all' && top !== '{}'
      : Object.entries(top as Yaml).some(
          ([scope, level]) =>
            level !== 'read' && level !== 'none' && !WRITE_SCOPES_ALLOWED_AT_TOP.includes(scope),
        )
  ) {
    problems.push(
      `${wf.file}: top-level permissions ${JSON.stringify(top)} grant write: grant it per job`,
    );
  }
  for (const [id, job] of Object.entries((wf.doc.jobs ?? {}) as Record<string, Yaml>)) {
    if (job.permissions === undefined) problems.push(`${wf.file} jobs.${id}: no permissions`);
    // A job that calls a reusable workflow cannot set a timeout; the called workflow's jobs do.
    if (typeof job.uses !== 'string' && job['timeout-minutes'] === undefined)
      problems.push(`${wf.file} jobs.${id}: no timeout-minutes`);
  }
  return problems;
}

/**
 * pull_request_target workflows run with a write token on code the pull request cannot change:
 * they may check out only the base (no `ref:`, or the base sha), never the pull request's head or
 * merge ref, and never run repository code from such a checkout.
 */
export function pullRequestTargetProblems(wf: WorkflowFile): string[] {
  const on = wf.doc.on;
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  if (!triggers.includes('pull_request_target')) return [];
  const problems: string[] = [];
  const base = '${{ github.event.pull_request.base.sha }}';
  for (const ref of usesOf(wf)) {
    if (!ref.uses.startsWith('actions/checkout@')) continue;
    const checkedOut = ref.with.ref;
    if (checkedOut !== undefined && checkedOut !== base)
      problems.push(
        `${wf.file} ${ref.where}: a pull_request_target workflow may check out only the base (ref ${JSON.stringify(checkedOut)})`,
      );
    if (ref.with.repository !== undefined)
      problems.push(
        `${wf.file} ${ref.where}: a pull_request_target workflow checks out another repository`,
      );
  }
  if (/github\.event\.pull_request\.head\.(ref|sha)|github\.head_ref|refs\/pull\//.test(wf.text)) {
    problems.push(`${wf.file}: a pull_request_target workflow refers to the pull request head`);
  }
  return problems;
}
