import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROMOTION_ORDER } from '@movies/actions-lib';
import { repoRoot, toolPath } from '@movies/testing';

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

/** Renders the real chart with an environment's values, as the helm action does (its schema rejects unknown keys). */
function render(environment: string): Manifest[] {
  const output = execFileSync(
    toolPath('helm'),
    [
      'template',
      'movies',
      path.join(repoRoot, 'chart'),
      '--namespace',
      'movies',
      '-f',
      path.join(repoRoot, 'environments', environment, 'values.yaml'),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const kinds = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

describe('environment Helm values render with the chart', () => {
  const rendered = Object.fromEntries(PROMOTION_ORDER.map((env) => [env, render(env)]));

  it('dev: one replica per service, in-cluster MongoDB, no disruption budgets', () => {
    const deployments = kinds(rendered.dev!, 'Deployment');
    expect(deployments).toHaveLength(4);
    for (const deployment of deployments) expect(deployment.spec?.replicas).toBe(1);
    expect(kinds(rendered.dev!, 'StatefulSet')).toHaveLength(1);
    expect(kinds(rendered.dev!, 'PodDisruptionBudget')).toHaveLength(0);
  });

  it('staging: two replicas and a PDB per service, external MongoDB', () => {
    for (const deployment of kinds(rendered.staging!, 'Deployment'))
      expect(deployment.spec?.replicas).toBe(2);
    expect(kinds(rendered.staging!, 'PodDisruptionBudget')).toHaveLength(4);
    expect(kinds(rendered.staging!, 'StatefulSet')).toHaveLength(0);
  });

  it('prod: an HPA from three replicas and a PDB per service, spread over zones', () => {
    const hpas = kinds(rendered.prod!, 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(4);
    for (const hpa of hpas) expect(hpa.spec?.minReplicas).toBe(3);
    expect(kinds(rendered.prod!, 'PodDisruptionBudget')).toHaveLength(4);
    for (const deployment of kinds(rendered.prod!, 'Deployment')) {
      const template = (
        deployment.spec?.template as {
          spec: { topologySpreadConstraints?: Array<Record<string, unknown>> };
        }
      ).spec;
      expect(template.topologySpreadConstraints).toContainEqual(
        expect.objectContaining({
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
        }),
      );
    }
  });
});
