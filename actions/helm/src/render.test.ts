import YAML from 'yaml';
import { environmentFolders, loadEnvironment } from '@movies/actions-lib';
import { repoRoot, toolPath } from '@movies/testing';
import { renderRelease } from './render';

jest.setTimeout(60_000);

describe.each(environmentFolders(repoRoot))('the shipped environment %s', (name) => {
  it('lints and renders with the real helm: one Deployment per chart service, no hooks', async () => {
    const environment = loadEnvironment(repoRoot, name);
    const manifest = await renderRelease(
      toolPath('helm'),
      repoRoot,
      environment,
      { release: 'movies', namespace: 'movies' },
      {
        requireAll: false,
        lint: true,
      },
    );
    const objects = YAML.parseAllDocuments(manifest)
      .map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string } } | null)
      .filter((o): o is { kind: string; metadata: { name: string } } => Boolean(o?.kind));
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    for (const service of ['auth', 'data', 'recommendation', 'web']) {
      expect(deployments.some((d) => d.endsWith(service))).toBe(true);
    }
    // Hooks (helm test pods) are left out, as `helm get manifest` leaves them out.
    expect(manifest).not.toMatch(/helm.sh\/hook/);
  });
});
