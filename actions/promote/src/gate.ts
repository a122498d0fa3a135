import { describeError, PROMOTION_ORDER, type LoadedEnvironment } from '@movies/actions-lib';
import type { HealthyDeployment } from './deployments';
import type { ImageRegistry } from './registry';
import { releaseEntries, repositoryOf, type ReleaseImages } from './release';

export const LABEL_PREFIX = 'promote:';

/** What the gate needs to know about a pull request and where to look things up. */
export interface GateFacts {
  labels: string[];
  changedFiles: string[];
  /** The head branch lives in a fork (no secrets, and promotions come from this repository only). */
  fromFork: boolean;
  loadEnvironment(name: string): LoadedEnvironment;
  latestHealthyDeployment(environment: string): Promise<HealthyDeployment | null>;
  registryFor(target: LoadedEnvironment): ImageRegistry;
}

export interface GateResult {
  outcome: 'passed' | 'failed' | 'not-a-promotion';
  target?: string;
  source?: string;
  /** Why it failed, one line each (empty when it passed). */
  reasons: string[];
  /** The images the pull request promotes. */
  images?: ReleaseImages;
  deployment?: HealthyDeployment;
}

export function releaseFile(environment: string): string {
  return `environments/${environment}/release.yaml`;
}

/** Release files that change only through promotion: every environment after the first. */
function promotedReleaseFiles(): string[] {
  return PROMOTION_ORDER.slice(1).map(releaseFile);
}

/**
 * The promotion gate. A pull request without a `promote:<env>` label passes unless it edits a
 * promoted environment's release.yaml; with one, it passes only when it changes nothing but
 * `environments/<target>/release.yaml`, the target is promoted from a source environment, and
 * every image is exactly (by digest) what the source runs with a successful deployment and is
 * present in the registry. Every failed rule adds a reason; all rules are checked.
 */
export async function evaluateGate(facts: GateFacts): Promise<GateResult> {
  const labels = facts.labels.filter((label) => label.startsWith(LABEL_PREFIX));
  if (labels.length === 0) {
    const touched = facts.changedFiles.filter((file) => promotedReleaseFiles().includes(file));
    const reasons = touched.map(
      (file) =>
        `${file} changes only through a promotion: add the label ${LABEL_PREFIX}${file.split('/')[1]} (or open one with the promote workflow)`,
    );
    return { outcome: reasons.length > 0 ? 'failed' : 'not-a-promotion', reasons };
  }
  if (labels.length > 1) {
    return {
      outcome: 'failed',
      reasons: [
        `the pull request has ${labels.length} promotion labels (${labels.join(', ')}): a promotion targets one environment`,
      ],
    };
  }
  const target = labels[0]!.slice(LABEL_PREFIX.length);
  const reasons: string[] = [];
  const result: GateResult = { outcome: 'failed', target, reasons };
  if (facts.fromFork)
    reasons.push(
      'the pull request comes from a fork: promotions must be branches of this repository',
    );

  const promotable = PROMOTION_ORDER.slice(1) as readonly string[];
  if (!promotable.includes(target)) {
    const why = (PROMOTION_ORDER as readonly string[]).includes(target)
      ? `${target} is the first environment: it follows main and is never promoted to`
      : `${target} is not an environment`;
    reasons.push(
      `label ${labels[0]}: ${why} (promotion labels: ${promotable.map((name) => LABEL_PREFIX + name).join(', ')})`,
    );
    return result;
  }

  const expected = releaseFile(target);
  const others = facts.changedFiles.filter((file) => file !== expected);
  if (others.length > 0)
    reasons.push(
      `the pull request also changes ${others.join(', ')}: a promotion changes only ${expected}`,
    );
  if (!facts.changedFiles.includes(expected))
    reasons.push(`the pull request does not change ${expected}: nothing is promoted to ${target}`);

  let targetEnv: LoadedEnvironment;
  try {
    targetEnv = facts.loadEnvironment(target);
  } catch (error) {
    reasons.push(`${target} cannot be loaded: ${describeError(error)}`);
    return result;
  }
  const source = targetEnv.env.promotion.from;
  if (!source) {
    reasons.push(
      `environments/${target}/env.yaml has no promotion.from: nothing is promoted to ${target}`,
    );
    return result;
  }
  result.source = source;

  const images: ReleaseImages = {};
  for (const [service, image] of releaseEntries(targetEnv.release)) {
    if (!image.digest) reasons.push(`${service}: ${expected} pins no digest`);
    else images[service] = { tag: image.tag, digest: image.digest };
  }
  result.images = images;

  let deployment: HealthyDeployment | null = null;
  try {
    deployment = await facts.latestHealthyDeployment(source);
    if (!deployment)
      reasons.push(
        `${source} has no deployment with a success status: there is nothing healthy to promote`,
      );
  } catch (error) {
    reasons.push(`the deployments of ${source} cannot be read: ${describeError(error)}`);
  }
  if (deployment) {
    result.deployment = deployment;
    for (const [service, image] of Object.entries(images)) {
      const running = deployment.images[service as keyof ReleaseImages];
      if (!running) {
        reasons.push(`${service}: ${source} deployment ${deployment.id} runs no ${service} image`);
      } else if (running.digest !== image.digest) {
        reasons.push(
          `${service}: ${image.digest} is not what ${source} runs healthy (deployment ${deployment.id} runs ${running.digest})`,
        );
      } else if (running.tag !== image.tag) {
        reasons.push(
          `${service}: tag ${image.tag} does not match the tag ${running.tag} that ${source} runs for digest ${image.digest}`,
        );
      }
    }
  }

  const registry = facts.registryFor(targetEnv);
  for (const [service, image] of Object.entries(images)) {
    try {
      if (!(await registry.hasImage(repositoryOf(service), image.digest))) {
        reasons.push(
          `${service}: ${image.digest} is not in the registry repository ${repositoryOf(service)}`,
        );
      }
    } catch (error) {
      reasons.push(
        `${service}: the registry cannot be asked for ${repositoryOf(service)}@${image.digest}: ${describeError(error)}`,
      );
    }
  }

  result.outcome = reasons.length === 0 ? 'passed' : 'failed';
  return result;
}
