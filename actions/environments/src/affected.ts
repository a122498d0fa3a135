/** Why a changed path matters: every environment, one environment, or none. */
export type Impact = { scope: 'all' } | { scope: 'one'; environment: string } | { scope: 'none' };

/** Folders whose changes reach every environment (infrastructure code, the chart, the services). */
export const SHARED_PREFIXES = ['terraform/', 'chart/', 'services/', 'environments/schema/'];

export function isDocumentation(file: string): boolean {
  return file.endsWith('.md') || file.startsWith('docs/') || file.includes('/docs/');
}

/** The impact of one changed path, given the known environment names. */
export function impactOf(file: string, environments: readonly string[]): Impact {
  const path = file.replace(/^\.\//, '');
  if (isDocumentation(path)) return { scope: 'none' };
  if (SHARED_PREFIXES.some((prefix) => path.startsWith(prefix))) return { scope: 'all' };
  const match = /^environments\/([^/]+)\//.exec(path);
  if (match && environments.includes(match[1]!)) return { scope: 'one', environment: match[1]! };
  return { scope: 'none' };
}

export interface AffectedEnvironment {
  name: string;
  /** The first changed path that affects it (for the job summary). */
  because: string;
}

/** The environments the changed files affect, in the order given (the promotion order). */
export function affectedEnvironments(
  changedFiles: readonly string[],
  environments: readonly string[],
): AffectedEnvironment[] {
  const because = new Map<string, string>();
  for (const file of changedFiles) {
    const impact = impactOf(file, environments);
    const reached =
      impact.scope === 'all' ? environments : impact.scope === 'one' ? [impact.environment] : [];
    for (const name of reached) if (!because.has(name)) because.set(name, file);
  }
  return environments
    .filter((name) => because.has(name))
    .map((name) => ({ name, because: because.get(name)! }));
}
