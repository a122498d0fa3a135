import type { LoadedEnvironment } from '@movies/actions-lib';
import { environmentConfig } from '@movies/actions-lib/testing/environment-workspace';
import { imageArgs, ReleaseError, releaseImages } from './images';

const services = ['web', 'auth', 'data', 'recommendation'];
const tag = 'a'.repeat(40);
const digest = `sha256:${'b'.repeat(64)}`;

function environment(name: string, release: LoadedEnvironment['release']): LoadedEnvironment {
  return {
    name,
    env: environmentConfig(name),
    values: {},
    release,
    dir: `/repo/environments/${name}`,
  };
}

describe('releaseImages', () => {
  it('pulls from the one registry given, and refuses a host that is not an ECR registry', () => {
    const env = environment('prod', { services: { web: { tag, digest } } });
    const registry = '999999999999.dkr.ecr.eu-central-1.amazonaws.com';
    expect(releaseImages(env, ['web'], { requireAll: true, registry }).registry).toBe(registry);
    expect(() => releaseImages(env, ['web'], { requireAll: true, registry: 'docker.io' })).toThrow(
      /input image-registry must be an ECR registry host/,
    );
  });

  it("follows the chart order and uses the shared account's registry by default", () => {
    const env = environment('prod', {
      services: {
        auth: { tag, digest },
        web: { tag, digest },
        data: { tag, digest },
        recommendation: { tag, digest },
      },
    });
    const images = releaseImages(env, services, { requireAll: true });
    expect(images.registry).toBe('111111111111.dkr.ecr.eu-west-1.amazonaws.com');
    expect(images.images.map((i) => i.service)).toEqual(services);
    expect(imageArgs(images).slice(0, 6)).toEqual([
      '--set',
      'global.imageRegistry=111111111111.dkr.ecr.eu-west-1.amazonaws.com',
      '--set-string',
      `services.web.image.tag=${tag}`,
      '--set-string',
      `services.web.image.digest=${digest}`,
    ]);
  });

  it('lets dev deploy by tag before the first push records a digest', () => {
    const images = releaseImages(environment('dev', { services: { web: { tag } } }), services, {
      requireAll: false,
    });
    expect(imageArgs(images)).toEqual([
      '--set',
      'global.imageRegistry=111111111111.dkr.ecr.eu-west-1.amazonaws.com',
      '--set-string',
      `services.web.image.tag=${tag}`,
    ]);
  });

  it.each([
    [
      'staging',
      { services: { web: { tag } } },
      false,
      /environments\/staging\/release.yaml: services.web.digest is required in staging/,
    ],
    [
      'dev',
      { services: { payments: { tag } } },
      false,
      /services.payments is not a service of the chart \(known: web, auth, data, recommendation\)/,
    ],
    ['dev', { services: { web: { tag } } }, true, /services.auth is missing/],
  ])('%s %j fails naming the field', (name, release, requireAll, message) => {
    const run = () =>
      releaseImages(environment(name, release as LoadedEnvironment['release']), services, {
        requireAll,
      });
    expect(run).toThrow(ReleaseError);
    expect(run).toThrow(message);
  });
});
