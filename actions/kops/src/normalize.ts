import YAML from 'yaml';

/** Fields kOps adds when it stores an object; they are not part of what we render. */
const STORED_ONLY_METADATA = ['creationTimestamp', 'generation', 'uid', 'resourceVersion'];

/**
 * Canonical YAML of kOps objects for diffing: stored-only metadata dropped, keys sorted, one
 * document per object ordered Cluster first, then instance groups by name.
 */
export function canonicalManifest(
  yamlText: string,
  options: { keepSubnetCidrs?: Set<string> } = {},
): string {
  const objects = YAML.parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as unknown)
    .flatMap((value) => (isList(value) ? value.items : [value]))
    .filter((value): value is KopsDocument => Boolean(value) && typeof value === 'object');
  for (const object of objects) {
    for (const key of STORED_ONLY_METADATA) delete object.metadata?.[key];
    // kOps fills in the CIDR of a shared subnet from AWS; it is not a change when we left it out.
    if (object.kind === 'Cluster' && options.keepSubnetCidrs) {
      for (const subnet of (object.spec?.subnets ?? []) as Array<Record<string, unknown>>) {
        if (!options.keepSubnetCidrs.has(String(subnet.name))) delete subnet.cidr;
      }
    }
  }
  objects.sort((a, b) => rank(a) - rank(b) || name(a).localeCompare(name(b)));
  return objects.map((object) => YAML.stringify(sortKeys(object), { lineWidth: 0 })).join('---\n');
}

/** `kind/name` of every object in a manifest. */
export function objectNames(yamlText: string): string[] {
  return YAML.parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as unknown)
    .flatMap((value) => (isList(value) ? value.items : [value]))
    .filter((value): value is KopsDocument => Boolean(value) && typeof value === 'object')
    .map((object) => `${object.kind ?? '?'}/${name(object)}`);
}

interface KopsDocument {
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: { subnets?: unknown[] };
}

function isList(value: unknown): value is { items: unknown[] } {
  return (
    Boolean(value) &&
    typeof value === 'object' &&
    Array.isArray((value as { items?: unknown }).items)
  );
}

function rank(object: KopsDocument): number {
  return object.kind === 'Cluster' ? 0 : 1;
}

function name(object: KopsDocument): string {
  return String(object.metadata?.name ?? '');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
