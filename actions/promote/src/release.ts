import {
  SERVICES,
  type ReleaseConfig,
  type ServiceImage,
  type ServiceName,
  type ReleaseImages,
} from '@movies/actions-lib';

export {
  parseImages,
  isServiceName,
  type PinnedImage,
  type ReleaseImages,
} from '@movies/actions-lib';

/** The ECR repository of a service (the contract: `movies/<service>`). */
export function repositoryOf(service: string): string {
  return `movies/${service}`;
}

/** The services a release names, in the contract's order. */
export function releaseEntries(release: ReleaseConfig): Array<[ServiceName, ServiceImage]> {
  return SERVICES.flatMap((service) => {
    const image = release.services[service];
    return image ? [[service, image] as [ServiceName, ServiceImage]] : [];
  });
}

/** `environments/<env>/release.yaml` text for pinned images, in the contract's layout. */
export function renderRelease(images: ReleaseImages, header: string): string {
  const lines = header
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `# ${line}`);
  lines.push('services:');
  for (const service of SERVICES) {
    const image = images[service];
    if (image) lines.push(`  ${service}: { tag: "${image.tag}", digest: "${image.digest}" }`);
  }
  return `${lines.join('\n')}\n`;
}

/** A markdown table of images (service, tag, digest). */
export function imagesTable(images: ReleaseImages): string {
  const rows = SERVICES.flatMap((service) => {
    const image = images[service];
    return image ? [`| ${service} | \`${image.tag.slice(0, 12)}\` | \`${image.digest}\` |`] : [];
  });
  return ['| service | tag | digest |', '| --- | --- | --- |', ...rows].join('\n');
}
