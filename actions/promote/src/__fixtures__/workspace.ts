import {
  createEnvironmentWorkspace,
  environmentConfig,
} from '@movies/actions-lib/testing/environment-workspace';
import type { ReleaseImages } from '../release';

/**
 * A checkout (the lib's environment workspace: real schemas, schema-valid env.yaml) with
 * dev → staging → prod whose release.yaml pins `releases[env]`. Returns its root.
 */
export function promotionWorkspace(
  releases: Record<'dev' | 'staging' | 'prod', ReleaseImages>,
): string {
  const workspace = createEnvironmentWorkspace();
  for (const name of ['dev', 'staging', 'prod'] as const) {
    workspace.write(name, { env: environmentConfig(name), release: { services: releases[name] } });
  }
  return workspace.root;
}
