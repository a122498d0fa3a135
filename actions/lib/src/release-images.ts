import { SERVICES, type ServiceImage, type ServiceName } from './environment-types';

/** A service's image as it is deployed: a commit-sha tag pinned by digest. */
export interface PinnedImage {
  tag: string;
  digest: string;
}

export type ReleaseImages = Partial<Record<ServiceName, PinnedImage>>;

const TAG = /^[0-9a-f]{40}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/**
 * Checks a `{service: {tag, digest}}` map taken from outside (a deployment payload, a workflow
 * input); every problem names the field. Returns the images or throws listing all problems.
 */
export function parseImages(value: unknown, origin: string): ReleaseImages {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(
      `${origin} must be a map of service → {tag, digest}, got ${JSON.stringify(value)}`,
    );
  }
  const problems: string[] = [];
  const images: ReleaseImages = {};
  for (const [service, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!isServiceName(service)) {
      problems.push(
        `${origin}.${service}: unknown service (expected one of ${SERVICES.join(', ')})`,
      );
      continue;
    }
    const image = (raw ?? {}) as Partial<ServiceImage>;
    if (typeof image.tag !== 'string' || !TAG.test(image.tag)) {
      problems.push(
        `${origin}.${service}.tag must be a 40-hex git commit sha, got ${JSON.stringify(image.tag)}`,
      );
    }
    if (typeof image.digest !== 'string' || !DIGEST.test(image.digest)) {
      problems.push(
        `${origin}.${service}.digest must be "sha256:<64 hex>", got ${JSON.stringify(image.digest)}`,
      );
    }
    if (typeof image.tag === 'string' && typeof image.digest === 'string')
      images[service] = { tag: image.tag, digest: image.digest };
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return images;
}
