import { createHash } from 'node:crypto';
import { attributeChanges } from './attributes';

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

/** An output's change in the shape attributeChanges reads (it flattens objects, not bare values). */
function wrapped(change: PlanChange): PlanChange {
  const wrap = (value: unknown): unknown => (value === undefined ? undefined : { value });
  return {
    actions: change.actions,
    before: wrap(change.before),
    after: wrap(change.after),
    after_unknown: wrap(change.after_unknown),
    before_sensitive: wrap(change.before_sensitive),
    after_sensitive: wrap(change.after_sensitive),
  };
}

/**
 * What the plan would change, as a reviewer reads it: each resource that is created, updated,
 * replaced or destroyed (no-ops and data reads are left out) with its action, what forces a
 * replacement, and the attributes that change (sensitive values as `(sensitive)`, unknown ones
 * as `(known after apply)`; a destroyed resource by its address alone), and each output that
 * changes. Values that a refresh moved but the plan does not change are not part of it.
 */
export function plannedChanges(plan: PlanDocument): unknown {
  const resources = (plan.resource_changes ?? [])
    .filter((resource) => !['no-op', 'read'].includes(actionKind(resource.change.actions)))
    .map((resource) => {
      const kind = actionKind(resource.change.actions);
      return {
        address: resource.address,
        action: kind,
        ...(kind === 'replace' ? { replace_paths: resource.change.replace_paths ?? [] } : {}),
        ...(kind === 'delete' ? {} : { attributes: attributeChanges(resource.change) }),
      };
    })
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => actionKind(change.actions) !== 'no-op')
    .map(([name, change]) => ({
      name,
      action: actionKind(change.actions),
      attributes: attributeChanges(wrapped(change)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { resources, outputs };
}

/**
 * The hash a reviewer approves: sha256 of the canonical JSON of the planned changes only (see
 * `plannedChanges`) — timestamps, the terraform version, prior state and refreshed values of
 * resources the plan leaves alone are not part of it, so an unrelated refresh between review and
 * apply does not change it, and sensitive values never reach it.
 */
export function planHash(plan: PlanDocument): string {
  return createHash('sha256')
    .update(canonicalJson(plannedChanges(plan)))
    .digest('hex');
}
