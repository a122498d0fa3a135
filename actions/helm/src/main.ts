import fs from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import {
  describeError,
  describeRefusals,
  diffStats,
  githubClient,
  lastSuccessfulDeployment,
  loadEnvironment,
  parseImages,
  repoFromEnv,
  reviewedRecords,
  runCli,
  unifiedDiff,
  publishSection,
  workspaceRoot,
  writeSummary,
  type LoadedEnvironment,
} from '@movies/actions-lib';
import { chartServices } from './chart';
import { Deployment, runUrl } from './deployment';
import {
  environmentValuesFile,
  rollbackArgs,
  statusArgs,
  testArgs,
  uninstallArgs,
  upgradeArgs,
  type ReleaseTarget,
} from './helmArgs';
import { imageArgs, releaseImages, ReleaseError, type ImageOverride } from './images';
import { readInputs, type HelmInputs } from './inputs';
import { ensureNamespace } from './namespace';
import { baseRender, deployedManifest, renderRelease, reviewHash, type Baseline } from './render';
import { smokeTest } from './smoke';

/** A failure the workflow can branch on (`failure-reason`). */
export class HelmFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'HelmFailure';
  }
}

export async function run(): Promise<void> {
  const root = workspaceRoot();
  const inputs = readInputs(root);
  const environment = loadEnvironment(root, inputs.environment);
  const target: ReleaseTarget = {
    release: inputs.release,
    namespace: inputs.namespace,
    chart: inputs.chart,
    valuesFile: environmentValuesFile(root, environment.name),
    kubeVersion: environment.env.cluster.kubernetes_version,
    ...(inputs.kubeconfig ? { kubeconfig: inputs.kubeconfig } : {}),
  };
  try {
    await dispatch(inputs, root, environment, target);
  } catch (error) {
    if (error instanceof HelmFailure) core.setOutput('failure-reason', error.reason);
    throw error;
  }
}

async function dispatch(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<void> {
  switch (inputs.command) {
    case 'diff':
      await diff(inputs, root, environment, target);
      return;
    case 'upgrade':
      await upgrade(inputs, root, environment, target);
      return;
    case 'rollback':
      await runCli(inputs.helm, rollbackArgs(target, inputs.revision, inputs.timeout));
      writeSummary(
        `## Helm\n\nRolled \`${target.release}\` in \`${environment.name}\` back to ${inputs.revision ? `revision ${inputs.revision}` : 'the previous revision'}.\n`,
      );
      return;
    case 'uninstall':
      await uninstall(inputs, environment, target);
      return;
    case 'test':
      await helmTest(inputs, environment, target);
      return;
  }
}

/** Idempotent: a release that is already gone is reported, not an error (a resumed teardown). */
async function uninstall(
  inputs: HelmInputs,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<void> {
  try {
    await runCli(inputs.helm, uninstallArgs(target, inputs.timeout));
  } catch (error) {
    if (!/release: not found/.test(describeError(error))) throw error;
    core.setOutput('uninstalled', 'false');
    writeSummary(
      `## Helm\n\n\`${target.release}\` is not installed in \`${environment.name}\`: nothing to uninstall.\n`,
    );
    return;
  }
  core.setOutput('uninstalled', 'true');
  writeSummary(`## Helm\n\nUninstalled \`${target.release}\` from \`${environment.name}\`.\n`);
}

async function helmTest(
  inputs: HelmInputs,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<string> {
  const { stdout } = await runCli(inputs.helm, testArgs(target, inputs.timeout));
  writeSummary(
    `## Helm test\n\n\`${target.release}\` in \`${environment.name}\` passed.\n\n<details><summary>Output</summary>\n\n\`\`\`\n${stdout.trim()}\n\`\`\`\n</details>\n`,
  );
  return stdout;
}

interface Change {
  rendered: string;
  baseline: Baseline;
  diff: string;
}

async function changeOf(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
  images?: ImageOverride,
): Promise<Change> {
  const common = { release: target.release, namespace: target.namespace };
  const rendered = await renderRelease(
    inputs.helm,
    root,
    environment,
    { ...common, chart: target.chart },
    {
      requireAll: false,
      lint: inputs.command === 'diff',
      registry: inputs.imageRegistry,
      ...(images ? { images } : {}),
    },
  );
  fs.mkdirSync(inputs.outputDir, { recursive: true });
  const manifestPath = path.join(inputs.outputDir, 'manifest.yaml');
  fs.writeFileSync(manifestPath, rendered);
  core.setOutput('manifest-path', manifestPath);
  const baseline =
    (await deployedManifest(inputs.helm, target)) ??
    (await baseRender(inputs.helm, root, environment.name, common, {
      baseDir: inputs.baseDir,
      baseRef: inputs.baseRef,
      registry: inputs.imageRegistry,
    }));
  // helm get manifest and helm template end the same manifests with different blank lines.
  const settled = (text: string): string => (text.trim() === '' ? '' : `${text.trimEnd()}\n`);
  const diff = unifiedDiff(settled(baseline.manifest), settled(rendered), {
    fromLabel: baseline.label.replace(/`/g, ''),
    toLabel: 'rendered',
  });
  return { rendered, baseline, diff };
}

function changeMarkdown(
  environment: LoadedEnvironment,
  change: Change,
  images: ImageOverride = environment.release.services as ImageOverride,
): string {
  const { added, removed } = diffStats(change.diff);
  const headline =
    change.diff === ''
      ? `No changes to the rendered manifests (compared with ${change.baseline.label}).`
      : `Rendered manifests change by **+${added} −${removed}** lines compared with ${change.baseline.label}.`;
  const note = change.baseline.note ? `\n\n_${change.baseline.note}_` : '';
  const rows = Object.entries(images)
    .map(
      ([service, image]) =>
        `| ${service} | \`${image?.tag ?? ''}\` | \`${image?.digest ?? '(none)'}\` |`,
    )
    .join('\n');
  const body = change.diff
    ? `\n\n<details><summary>Manifest diff</summary>\n\n\`\`\`diff\n${change.diff}\`\`\`\n</details>`
    : '';
  return `### Helm\n\n${headline}${note}\n\n| Service | Tag | Digest |\n|---|---|---|\n${rows}${body}\n`;
}

async function diff(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<void> {
  const change = await changeOf(inputs, root, environment, target);
  core.info(change.diff || 'no changes');
  core.setOutput('has-changes', String(change.diff !== ''));
  core.setOutput('review-hash', await reviewHashOf(inputs, root, environment, target));
  const markdown = changeMarkdown(environment, change);
  await publishSection({ environment: environment.name, section: 'helm', markdown });
}

function reviewHashOf(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<string> {
  return reviewHash(inputs.helm, root, environment, {
    release: target.release,
    namespace: target.namespace,
    chart: target.chart,
  });
}

/**
 * The images to deploy: ci's `images` input (only for the environment that follows main), else
 * release.yaml; for that environment without either, what its last successful deployment ran
 * (a redeploy keeps dev's images; its release state lives in deployments, not on main).
 */
async function imagesToDeploy(
  inputs: HelmInputs,
  environment: LoadedEnvironment,
): Promise<ImageOverride | undefined> {
  const followsMain = environment.env.promotion.auto_deploy;
  if (inputs.images) {
    if (!followsMain)
      throw new ReleaseError(
        `input images is only for the environment that follows main (promotion.auto_deploy): ${environment.name}'s images come from environments/${environment.name}/release.yaml through promotion`,
      );
    return inputs.images;
  }
  if (!followsMain || Object.keys(environment.release.services).length > 0) return undefined;
  const last = await lastSuccessfulDeployment(githubClient(), repoFromEnv(), environment.name);
  const recorded = (last?.payload as { images?: unknown } | undefined)?.images;
  if (!last || recorded === undefined)
    throw new ReleaseError(
      `${environment.name} follows main but no images were given (input images) and it has no successful deployment to take them from`,
    );
  core.info(`deploying the images of ${environment.name}'s last successful deployment ${last.id}`);
  return parseImages(recorded, `deployment ${last.id} payload.images`) as ImageOverride;
}

/**
 * Refuses a render that no pull request merged after `reviewed-since` (up to GITHUB_SHA) showed
 * its reviewers (lib reviewedRecords: the bot's comment and the review check run agree).
 */
async function verifyReviewed(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
  sha: string,
): Promise<string> {
  const hash = await reviewHashOf(inputs, root, environment, target);
  const found = await reviewedRecords(githubClient(), repoFromEnv(), {
    environment: environment.name,
    sha,
    since: inputs.reviewedSince,
  });
  const candidates = found.records.filter((record) => record.helm);
  if (candidates.some((record) => record.helm === hash)) return hash;
  if (candidates.length > 0)
    throw new HelmFailure(
      'helm-render-changed',
      `the ${environment.name} render (review hash ${hash}) is not what was reviewed (${candidates.map((c) => `${c.helm} on #${c.pullRequest}`).join(', ')}): nothing was upgraded; plan and review again`,
    );
  throw new HelmFailure(
    'no-reviewed-render',
    `no reviewed Helm render for ${environment.name} up to ${sha.slice(0, 12)}: ${describeRefusals(environment.name, found)}. Nothing was upgraded.`,
  );
}

/** The deployed revision of the release, or null when it is not installed. */
async function currentRevision(inputs: HelmInputs, target: ReleaseTarget): Promise<number | null> {
  try {
    const status = await runCli(inputs.helm, statusArgs(target), { silent: true });
    const revision = (JSON.parse(status.stdout) as { version?: number }).version;
    return typeof revision === 'number' ? revision : null;
  } catch (error) {
    if (/release: not found/.test(describeError(error))) return null;
    throw error;
  }
}

/**
 * Puts the release back after a smoke test or helm test failed on the new revision: to the
 * revision that ran before, or (a first install) uninstalled, so nothing unverified keeps serving.
 */
async function rollBack(
  inputs: HelmInputs,
  target: ReleaseTarget,
  previous: number | null,
): Promise<string> {
  try {
    if (previous === null) {
      await runCli(inputs.helm, uninstallArgs(target, inputs.timeout));
      return 'the first install was uninstalled';
    }
    await runCli(inputs.helm, rollbackArgs(target, String(previous), inputs.timeout));
    return `rolled back to revision ${previous}`;
  } catch (error) {
    return `the rollback failed too: ${describeError(error).split('\n')[0]}`;
  }
}

async function upgrade(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<void> {
  const override = await imagesToDeploy(inputs, environment);
  const images = releaseImages(environment, chartServices(target.chart), {
    requireAll: true,
    registry: inputs.imageRegistry,
    ...(override ? { images: override } : {}),
  });
  const change = await changeOf(inputs, root, environment, target, override);
  core.startGroup('What will change');
  core.info(change.diff || 'no changes to the rendered manifests');
  core.endGroup();
  writeSummary(changeMarkdown(environment, change, override));

  const sha = process.env.GITHUB_SHA;
  if (!sha) throw new Error('GITHUB_SHA is not set: the deployment records the commit it deploys');
  const reviewed = inputs.verifyReviewed
    ? await verifyReviewed(inputs, root, environment, target, sha)
    : await reviewHashOf(inputs, root, environment, target);

  const deployment = await Deployment.create(githubClient(), repoFromEnv(), {
    ref: sha,
    environment: environment.name,
    description: `helm upgrade ${target.release} (${environment.name})`,
    payload: {
      images: Object.fromEntries(
        images.images.map((i) => [i.service, { tag: i.tag, digest: i.digest ?? null }]),
      ),
      registry: images.registry,
      review: { helm: reviewed },
    },
    ...(runUrl() ? { logUrl: runUrl() } : {}),
  });
  core.setOutput('deployment-id', String(deployment.id));
  await deployment.setStatus('in_progress', `upgrading ${target.release}`);

  let environmentUrl = environment.env.app.url || '';
  let upgraded = false;
  let previous: number | null = null;
  try {
    // The API server enforces the restricted Pod Security profile from the first pod on.
    await ensureNamespace(
      inputs.kubectl,
      target.namespace,
      environment.env.cluster.kubernetes_version,
      target.kubeconfig,
    );
    previous = await currentRevision(inputs, target);
    await runCli(inputs.helm, upgradeArgs(target, imageArgs(images), inputs.timeout));
    upgraded = true;
    const revision = await currentRevision(inputs, target);
    if (revision !== null) core.setOutput('revision', String(revision));
    environmentUrl ||= (await loadBalancerUrl(inputs, target)) ?? '';
    if (environmentUrl) core.setOutput('environment-url', environmentUrl);

    const smokeUrl = inputs.smokeUrl || environmentUrl;
    if (!smokeUrl) {
      core.warning(
        'no smoke-url, app.url or LoadBalancer address: the public smoke test was skipped',
      );
    } else {
      const result = await smokeTest(smokeUrl, {
        paths: ['/healthz', '/readyz'],
        timeoutMs: inputs.smokeTimeoutMs,
        intervalMs: inputs.smokeIntervalMs,
        log: (line) => core.info(line),
      });
      if (!result.ok) {
        throw new HelmFailure(
          'smoke-failed',
          `smoke test of ${smokeUrl} failed after ${result.attempts} attempt(s): ${result.lastError}`,
        );
      }
      core.info(`smoke test of ${smokeUrl} passed (attempt ${result.attempts})`);
    }
    // The deployment is healthy only when the in-cluster contract test passes too.
    try {
      await helmTest(inputs, environment, target);
    } catch (error) {
      throw new HelmFailure('helm-test-failed', `helm test failed: ${describeError(error)}`);
    }
  } catch (error) {
    const undo = upgraded ? await rollBack(inputs, target, previous) : '';
    if (undo) core.setOutput('rolled-back', 'true');
    const reason = `${describeError(error).split('\n')[0] ?? 'failed'}${undo ? `; ${undo}` : ''}`;
    await deployment.setStatus('failure', reason, environmentUrl || undefined);
    writeSummary(
      `**Deployment to \`${environment.name}\` failed:** ${describeError(error)}${undo ? `\n\n${undo[0]!.toUpperCase()}${undo.slice(1)}.` : ''}\n`,
    );
    throw error instanceof HelmFailure && undo
      ? new HelmFailure(error.reason, `${error.message}; ${undo}`)
      : error;
  }
  await deployment.setStatus('success', `${target.release} is live`, environmentUrl || undefined);
  writeSummary(
    `**Deployed to \`${environment.name}\`**${environmentUrl ? ` — ${environmentUrl}` : ''} (smoke test and helm test passed).\n`,
  );
}

/** `http://<hostname>` of the chart's public LoadBalancer Service, once AWS has assigned one. */
async function loadBalancerUrl(
  inputs: HelmInputs,
  target: ReleaseTarget,
): Promise<string | undefined> {
  try {
    const { stdout } = await runCli(
      inputs.kubectl,
      [
        'get',
        'services',
        '--namespace',
        target.namespace,
        '-o',
        'json',
        ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []),
      ],
      { silent: true },
    );
    const services = (JSON.parse(stdout) as { items?: KubeService[] }).items ?? [];
    for (const service of services) {
      if (service.spec?.type !== 'LoadBalancer') continue;
      const ingress = service.status?.loadBalancer?.ingress?.[0];
      const host = ingress?.hostname || ingress?.ip;
      if (host) return `http://${host}`;
    }
  } catch (error) {
    core.warning(`could not read the LoadBalancer address: ${describeError(error)}`);
  }
  return undefined;
}

interface KubeService {
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: Array<{ hostname?: string; ip?: string }> } };
}
