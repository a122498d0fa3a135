import type { LoadedEnvironment } from '@movies/actions-lib';
import type { HealthyDeployment } from './deployments';
import { evaluateGate, type GateFacts } from './gate';
import type { ImageRegistry } from './registry';
import type { ReleaseImages } from './release';
import { digest, sha } from './__fixtures__/images';

const IMAGES: ReleaseImages = {
  auth: { tag: sha('a'), digest: digest('a') },
  data: { tag: sha('b'), digest: digest('b') },
  recommendation: { tag: sha('c'), digest: digest('c') },
  web: { tag: sha('d'), digest: digest('d') },
};

function environment(name: string, from: string | null, images: ReleaseImages): LoadedEnvironment {
  return {
    name,
    dir: `/repo/environments/${name}`,
    values: {},
    release: { services: structuredClone(images) },
    env: {
      name,
      aws: { account_id: '111111111111', region: 'eu-west-1' },
      promotion: { from, auto_deploy: from === null },
    } as LoadedEnvironment['env'],
  };
}

function deployment(images: ReleaseImages): HealthyDeployment {
  return {
    id: 42,
    sha: sha('e'),
    ref: 'main',
    createdAt: '2026-11-01T00:00:00Z',
    statusUrl: '',
    environmentUrl: '',
    images,
    newerUnhealthy: [],
  };
}

/** A registry stand-in holding a fixed set of `repository@digest`. */
class SetRegistry implements ImageRegistry {
  readonly asked: string[] = [];
  constructor(private readonly present: Set<string>) {}
  async hasImage(repository: string, imageDigest: string): Promise<boolean> {
    this.asked.push(`${repository}@${imageDigest}`);
    return this.present.has(`${repository}@${imageDigest}`);
  }
}

const allPresent = (): SetRegistry =>
  new SetRegistry(
    new Set(Object.entries(IMAGES).map(([service, image]) => `movies/${service}@${image.digest}`)),
  );

function facts(
  overrides: Partial<GateFacts> & {
    targetImages?: ReleaseImages;
    sourceImages?: ReleaseImages | null;
  } = {},
): GateFacts {
  const registry = allPresent();
  const envs: Record<string, LoadedEnvironment> = {
    dev: environment('dev', null, IMAGES),
    staging: environment('staging', 'dev', overrides.targetImages ?? IMAGES),
    prod: environment('prod', 'staging', overrides.targetImages ?? IMAGES),
  };
  const sourceImages = overrides.sourceImages === undefined ? IMAGES : overrides.sourceImages;
  return {
    labels: ['promote:staging'],
    changedFiles: ['environments/staging/release.yaml'],
    fromFork: false,
    loadEnvironment: (name) => {
      const env = envs[name];
      if (!env) throw new Error(`environments/${name}: no such environment`);
      return env;
    },
    latestHealthyDeployment: async () => (sourceImages ? deployment(sourceImages) : null),
    registryFor: () => registry,
    ...overrides,
  };
}

describe('evaluateGate', () => {
  it('passes a promotion that changes only the target release to what the source runs healthy', async () => {
    const result = await evaluateGate(facts());
    expect(result).toMatchObject({
      outcome: 'passed',
      target: 'staging',
      source: 'dev',
      reasons: [],
    });
    expect(result.deployment?.id).toBe(42);
  });

  it('asks the registry for every promoted digest in its movies/<service> repository', async () => {
    const registry = allPresent();
    await evaluateGate(facts({ registryFor: () => registry }));
    expect(registry.asked.sort()).toEqual(
      Object.entries(IMAGES)
        .map(([s, i]) => `movies/${s}@${i.digest}`)
        .sort(),
    );
  });

  it('passes a pull request without a promotion label that touches no promoted release', async () => {
    const result = await evaluateGate(
      facts({
        labels: ['bug'],
        changedFiles: ['services/web/src/app.ts', 'environments/dev/release.yaml'],
      }),
    );
    expect(result).toEqual({ outcome: 'not-a-promotion', reasons: [] });
  });

  it('fails an unlabelled pull request that edits a staging or prod release', async () => {
    const result = await evaluateGate(
      facts({ labels: [], changedFiles: ['environments/prod/release.yaml'] }),
    );
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([
      expect.stringContaining(
        'environments/prod/release.yaml changes only through a promotion: add the label promote:prod',
      ),
    ]);
  });

  it('fails a promotion that also touches another file, naming the file', async () => {
    const result = await evaluateGate(
      facts({ changedFiles: ['environments/staging/release.yaml', 'chart/values.yaml'] }),
    );
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([
      'the pull request also changes chart/values.yaml: a promotion changes only environments/staging/release.yaml',
    ]);
  });

  it('fails when the label names another environment than the file changed', async () => {
    const result = await evaluateGate(facts({ labels: ['promote:prod'] }));
    expect(result.outcome).toBe('failed');
    expect(result.target).toBe('prod');
    expect(result.reasons).toContain(
      'the pull request also changes environments/staging/release.yaml: a promotion changes only environments/prod/release.yaml',
    );
    expect(result.reasons).toContain(
      'the pull request does not change environments/prod/release.yaml: nothing is promoted to prod',
    );
  });

  it.each([
    ['promote:dev', 'dev is the first environment'],
    ['promote:qa', 'qa is not an environment'],
  ])('fails the label %s', async (label, why) => {
    const result = await evaluateGate(facts({ labels: [label] }));
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([expect.stringContaining(why)]);
  });

  it('fails two promotion labels at once', async () => {
    const result = await evaluateGate(facts({ labels: ['promote:staging', 'promote:prod'] }));
    expect(result.reasons).toEqual([
      expect.stringContaining('2 promotion labels (promote:staging, promote:prod)'),
    ]);
  });

  it('fails an image whose digest the source does not run healthy, naming both digests', async () => {
    const sourceImages = { ...IMAGES, web: { tag: sha('d'), digest: digest('f') } };
    const result = await evaluateGate(facts({ sourceImages }));
    expect(result.outcome).toBe('failed');
    expect(result.reasons).toEqual([
      `web: ${digest('d')} is not what dev runs healthy (deployment 42 runs ${digest('f')})`,
    ]);
  });

  it('fails when the source has no successful deployment', async () => {
    const result = await evaluateGate(facts({ sourceImages: null }));
    expect(result.reasons).toEqual([
      'dev has no deployment with a success status: there is nothing healthy to promote',
    ]);
  });

  it('fails when the deployments cannot be read, with the error', async () => {
    const result = await evaluateGate(
      facts({
        latestHealthyDeployment: async () => {
          throw new Error('HTTP 403 Resource not accessible by integration');
        },
      }),
    );
    expect(result.reasons).toEqual([
      'the deployments of dev cannot be read: HTTP 403 Resource not accessible by integration',
    ]);
  });

  it('fails an image missing from the registry and one the registry cannot be asked about', async () => {
    const registry: ImageRegistry = {
      hasImage: async (repository) => {
        if (repository === 'movies/data')
          throw new Error('AccessDeniedException: not authorized to perform ecr:DescribeImages');
        return repository !== 'movies/auth';
      },
    };
    const result = await evaluateGate(facts({ registryFor: () => registry }));
    expect(result.reasons).toEqual([
      `auth: ${digest('a')} is not in the registry repository movies/auth`,
      `data: the registry cannot be asked for movies/data@${digest('b')}: AccessDeniedException: not authorized to perform ecr:DescribeImages`,
    ]);
  });

  it('lists every reason together', async () => {
    const result = await evaluateGate(
      facts({
        fromFork: true,
        changedFiles: ['environments/staging/release.yaml', 'README.md'],
        sourceImages: { ...IMAGES, auth: { tag: sha('a'), digest: digest('9') } },
      }),
    );
    expect(result.reasons).toHaveLength(3);
    expect(result.reasons[0]).toContain('fork');
  });

  it('fails a target whose environment cannot be loaded, with the loader message', async () => {
    const result = await evaluateGate(
      facts({
        loadEnvironment: () => {
          throw new Error(
            'environments/staging/release.yaml: /services/auth/digest is required in staging',
          );
        },
      }),
    );
    expect(result.reasons).toEqual([
      'staging cannot be loaded: environments/staging/release.yaml: /services/auth/digest is required in staging',
    ]);
  });
});
