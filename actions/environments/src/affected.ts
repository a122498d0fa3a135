/**
 * What a change to an environment can need: `infrastructure` (Terraform and kOps: the network,
 * the cluster) and/or `release` (the Helm release: chart, values, images).
 */
export type ChangeKind = 'infrastructure' | 'release';
export const ALL_KINDS: readonly ChangeKind[] = ['infrastructure', 'release'];

/** Why a changed path matters: every environment, one environment, or none; and for what. */
export type Impact =
  | { scope: 'all'; kinds: readonly ChangeKind[] }
  | { scope: 'one'; environment: string; kinds: readonly ChangeKind[] }
  | { scope: 'none' };

/**
 * Paths that define what every environment gets, by kind. Besides terraform/ and chart/ this is
 * the code that turns env.yaml into what is applied (the tfvars writer, the kOps manifest
 * renderer, the Helm render, the environment loader and schemas) and the tool pins (Terraform,
 * kOps and Helm versions) with the step that installs them: a change there changes the next
 * plan or render even when no .tf or template changed.
 */
export const SHARED: ReadonlyArray<{ prefix: string; kinds: readonly ChangeKind[] }> = [
  { prefix: 'terraform/', kinds: ['infrastructure'] },
  { prefix: 'actions/terraform/src/', kinds: ['infrastructure'] },
  { prefix: 'actions/kops/src/', kinds: ['infrastructure'] },
  { prefix: 'chart/', kinds: ['release'] },
  { prefix: 'actions/helm/src/', kinds: ['release'] },
  { prefix: 'environments/schema/', kinds: ALL_KINDS },
  { prefix: 'actions/lib/src/environment', kinds: ALL_KINDS },
  { prefix: 'scripts/toolchain/tools.json', kinds: ALL_KINDS },
  { prefix: '.github/actions/setup-tools/', kinds: ALL_KINDS },
];

/** Images come from ci.yml's builds, not from these files: a plan of every environment, no deploy kind. */
export const SERVICES_PREFIX = 'services/';

/** Per environment folder: env.yaml shapes both (the cluster's Kubernetes version reaches the render). */
const ENVIRONMENT_FILES: Record<string, readonly ChangeKind[]> = {
  'env.yaml': ALL_KINDS,
  'values.yaml': ['release'],
  'release.yaml': ['release'],
};

export function isDocumentation(file: string): boolean {
  return file.endsWith('.md') || file.startsWith('docs/') || file.includes('/docs/');
}

/** Tests and their fixtures beside the code change no plan or render. */
export function isTest(file: string): boolean {
  return /\.test\.[cm]?[jt]s$/.test(file) || file.includes('/__fixtures__/');
}

/** The impact of one changed path, given the known environment names. */
export function impactOf(file: string, environments: readonly string[]): Impact {
  const path = file.replace(/^\.\//, '');
  if (isDocumentation(path) || isTest(path)) return { scope: 'none' };
  const shared = SHARED.find((entry) => path.startsWith(entry.prefix));
  if (shared) return { scope: 'all', kinds: shared.kinds };
  if (path.startsWith(SERVICES_PREFIX)) return { scope: 'all', kinds: [] };
  const match = /^environments\/([^/]+)\/(.+)$/.exec(path);
  if (match && environments.includes(match[1]!)) {
    return {
      scope: 'one',
      environment: match[1]!,
      kinds: ENVIRONMENT_FILES[match[2]!] ?? ALL_KINDS,
    };
  }
  return { scope: 'none' };
}

export interface AffectedEnvironment {
  name: string;
  /** The first changed path that affects it (for the job summary). */
  because: string;
  /** What the changes need there. */
  kinds: ChangeKind[];
}

/** The environments the changed files affect, in the order given (the promotion order). */
export function affectedEnvironments(
  changedFiles: readonly string[],
  environments: readonly string[],
): AffectedEnvironment[] {
  const found = new Map<string, { because: string; kinds: Set<ChangeKind> }>();
  for (const file of changedFiles) {
    const impact = impactOf(file, environments);
    if (impact.scope === 'none') continue;
    const reached = impact.scope === 'all' ? environments : [impact.environment];
    for (const name of reached) {
      const entry = found.get(name) ?? { because: file, kinds: new Set<ChangeKind>() };
      for (const kind of impact.kinds) entry.kinds.add(kind);
      found.set(name, entry);
    }
  }
  return environments
    .filter((name) => found.has(name))
    .map((name) => ({
      name,
      because: found.get(name)!.because,
      kinds: ALL_KINDS.filter((kind) => found.get(name)!.kinds.has(kind)),
    }));
}
