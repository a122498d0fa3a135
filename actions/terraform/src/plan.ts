import { createHash } from 'node:crypto';

/** The parts of `terraform show -json <plan>` this action reads. */
export interface PlanChange {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: Array<Array<string | number>>;
}

export interface ResourceChange {
  address: string;
  mode?: string;
  type?: string;
  name?: string;
  action_reason?: string;
  change: PlanChange;
}

export interface PlanDocument {
  format_version?: string;
  terraform_version?: string;
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, PlanChange>;
  [key: string]: unknown;
}

export type ActionKind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op';

/** One resource change reduced to the action a reviewer cares about. */
export function actionKind(actions: readonly string[]): ActionKind {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('create')) return 'create';
  if (actions.includes('update')) return 'update';
  if (actions.includes('read')) return 'read';
  return 'no-op';
}

export interface PlanCounts {
  /** As terraform counts them: a replacement is one add and one destroy. */
  add: number;
  change: number;
  destroy: number;
  replace: number;
  outputs: number;
}

export function countChanges(plan: PlanDocument): PlanCounts {
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0, outputs: 0 };
  for (const resource of plan.resource_changes ?? []) {
    const kind = actionKind(resource.change.actions);
    if (kind === 'create') counts.add++;
    else if (kind === 'update') counts.change++;
    else if (kind === 'delete') counts.destroy++;
    else if (kind === 'replace') {
      counts.replace++;
      counts.add++;
      counts.destroy++;
    }
  }
  for (const output of Object.values(plan.output_changes ?? {})) {
    if (actionKind(output.actions) !== 'no-op') counts.outputs++;
  }
  return counts;
}

export function hasChanges(counts: PlanCounts): boolean {
  return counts.add + counts.change + counts.destroy + counts.outputs > 0;
}

/** Resources the plan destroys or replaces, for the warning at the top of the comment. */
export function destructiveChanges(plan: PlanDocument): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((resource) =>
    ['delete', 'replace'].includes(actionKind(resource.change.actions)),
  );
}

/** JSON with object keys sorted at every level, so equal plans serialise to equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash a reviewer approves: sha256 of the canonical JSON of `resource_changes` and
 * `output_changes` only — the plan's timestamp, terraform version and prior state are left out,
 * so the same change planned twice hashes the same.
 */
export function planHash(plan: PlanDocument): string {
  const material = canonicalJson({
    resource_changes: plan.resource_changes ?? [],
    output_changes: plan.output_changes ?? {},
  });
  return createHash('sha256').update(material).digest('hex');
}
