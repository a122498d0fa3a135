import { PROMOTION_ORDER, type LoadedEnvironment } from '@movies/actions-lib';

export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

/** `registry/movies/<service>` images from release.yaml as Helm `--set`/`--set-string` arguments. */
export interface ImageSettings {
  registry: string;
  images: Array<{ service: string; tag: string; digest?: string }>;
}

/**
 * The one ECR registry every environment pulls from (terraform/global, in the one AWS account
 * the environments share): `registry` when given (the workflows pass `vars.ECR_REGISTRY`, the
 * global root's output), else the account's registry in the environment's region.
 */
export function ecrRegistry(environment: LoadedEnvironment, registry = ''): string {
  if (registry) {
    if (!/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(registry))
      throw new ReleaseError(
        `input image-registry must be an ECR registry host like 111111111111.dkr.ecr.eu-west-1.amazonaws.com (got "${registry}")`,
      );
    return registry;
  }
  const { account_id, region } = environment.env.aws;
  return `${account_id}.dkr.ecr.${region}.amazonaws.com`;
}

/** Images given to the action (`images` input: ci's pushed digests for the environment that follows main). */
export type ImageOverride = Record<string, { tag: string; digest?: string }>;

/**
 * The images of an environment's release, checked against the services the chart knows.
 * Promoted environments (all but the first in PROMOTION_ORDER) must pin every image by digest;
 * `requireAll` (upgrades) also refuses a release that leaves a chart service without an image.
 */
export function releaseImages(
  environment: LoadedEnvironment,
  chartServices: string[],
  options: { requireAll: boolean; registry?: string; images?: ImageOverride },
): ImageSettings {
  const file = options.images ? 'input images' : `environments/${environment.name}/release.yaml`;
  const services = (options.images ?? environment.release.services) as Record<
    string,
    { tag?: string; digest?: string } | undefined
  >;
  for (const service of Object.keys(services)) {
    if (!chartServices.includes(service)) {
      throw new ReleaseError(
        `${file}: services.${service} is not a service of the chart (known: ${chartServices.join(', ')})`,
      );
    }
  }
  const images: ImageSettings['images'] = [];
  for (const service of chartServices) {
    const image = services[service];
    if (!image) {
      if (options.requireAll) {
        throw new ReleaseError(
          `${file}: services.${service} is missing: every service of the chart needs an image`,
        );
      }
      continue;
    }
    if (!image.tag) throw new ReleaseError(`${file}: services.${service}.tag is missing`);
    if (!image.digest && environment.name !== PROMOTION_ORDER[0]) {
      throw new ReleaseError(
        `${file}: services.${service}.digest is required in ${environment.name}: promoted images are deployed by digest`,
      );
    }
    images.push({ service, tag: image.tag, ...(image.digest ? { digest: image.digest } : {}) });
  }
  return { registry: ecrRegistry(environment, options.registry), images };
}

export function imageArgs(settings: ImageSettings): string[] {
  const args = ['--set', `global.imageRegistry=${settings.registry}`];
  for (const image of settings.images) {
    args.push('--set-string', `services.${image.service}.image.tag=${image.tag}`);
    if (image.digest)
      args.push('--set-string', `services.${image.service}.image.digest=${image.digest}`);
  }
  return args;
}
