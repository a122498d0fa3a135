import type { PlanChange } from './plan';

export const SENSITIVE = '(sensitive)';
export const UNKNOWN = '(known after apply)';

/** One attribute that differs between before and after, already masked for display. */
export interface AttributeChange {
  path: string;
  before?: string;
  after?: string;
}

type Leaves = Map<string, unknown>;

/** Flattens a value into `a.b[0].c` → leaf; sensitive/unknown markers use the same shape with `true`. */
function flatten(value: unknown, prefix: string, into: Leaves): Leaves {
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) into.set(prefix, value);
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, into));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into.set(prefix, value);
    for (const [key, item] of entries) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, value);
  }
  return into;
}

/** True when `marker` (the before_/after_sensitive or after_unknown shape) marks `path` or one of its parents. */
function marked(markers: Leaves, path: string): boolean {
  for (const [markedPath, value] of markers) {
    if (value !== true) continue;
    if (
      markedPath === '' ||
      path === markedPath ||
      path.startsWith(`${markedPath}.`) ||
      path.startsWith(`${markedPath}[`)
    )
      return true;
  }
  return false;
}

function markerLeaves(marker: unknown): Leaves {
  if (marker === true) return new Map([['', true]]);
  return flatten(marker, '', new Map());
}

function show(value: unknown): string {
  if (value === null) return 'null';
  return JSON.stringify(value);
}

/** Leaf values of sensitive attributes (before and after), for `core.setSecret`. */
export function sensitiveValues(change: PlanChange): string[] {
  const found: string[] = [];
  const collect = (value: unknown, marker: unknown): void => {
    const markers = markerLeaves(marker);
    for (const [path, leaf] of flatten(value, '', new Map())) {
      if (
        marked(markers, path) &&
        leaf !== null &&
        leaf !== undefined &&
        typeof leaf !== 'boolean' &&
        String(leaf) !== ''
      ) {
        found.push(String(leaf));
      }
    }
    if (marker === true && value !== null && value !== undefined && typeof value !== 'object')
      found.push(String(value));
  };
  collect(change.before, change.before_sensitive);
  collect(change.after, change.after_sensitive);
  return [...new Set(found)];
}

/** The attributes that change, sensitive ones shown as `(sensitive)` and unknown ones as `(known after apply)`. */
export function attributeChanges(change: PlanChange): AttributeChange[] {
  const before = flatten(change.before ?? null, '', new Map());
  const after = flatten(change.after ?? null, '', new Map());
  const beforeSensitive = markerLeaves(change.before_sensitive);
  const afterSensitive = markerLeaves(change.after_sensitive);
  const unknown = markerLeaves(change.after_unknown);
  for (const [path, value] of unknown)
    if (value === true && path !== '') after.set(path, undefined);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const result: AttributeChange[] = [];
  for (const path of paths) {
    const isUnknown = marked(unknown, path);
    const b = before.get(path);
    const a = after.get(path);
    if (!isUnknown && show(a) === show(b)) continue;
    const entry: AttributeChange = { path };
    if (before.has(path) && b !== null)
      entry.before = marked(beforeSensitive, path) ? SENSITIVE : show(b);
    if (isUnknown) entry.after = UNKNOWN;
    else if (after.has(path) && a !== null)
      entry.after = marked(afterSensitive, path) ? SENSITIVE : show(a);
    if (entry.before === undefined && entry.after === undefined) continue;
    result.push(entry);
  }
  return result;
}
