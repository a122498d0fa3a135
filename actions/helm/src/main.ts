import fs from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import {
  describeError,
  diffStats,
  githubClient,
  loadEnvironment,
  repoFromEnv,
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
import { imageArgs, releaseImages } from './images';
import { readInputs, type HelmInputs } from './inputs';
import { baseRender, deployedManifest, renderRelease, type Baseline } from './render';
import { smokeTest } from './smoke';

export async function run(): Promise<void> {
  const root = workspaceRoot();
  const inputs = readInputs(root);
  const environment = loadEnvironment(root, inputs.environment);
  const target: ReleaseTarget = {
    release: inputs.release,
    namespace: inputs.namespace,
    chart: inputs.chart,
    valuesFile: environmentValuesFile(root, environment.name),
    ...(inputs.kubeconfig ? { kubeconfig: inputs.kubeconfig } : {}),
  };
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
      await runCli(inputs.helm, uninstallArgs(target, inputs.timeout));
      writeSummary(`## Helm\n\nUninstalled \`${target.release}\` from \`${environment.name}\`.\n`);
      return;
    case 'test': {
      const { stdout } = await runCli(inputs.helm, testArgs(target, inputs.timeout));
      writeSummary(
        `## Helm test\n\n\`${target.release}\` in \`${environment.name}\` passed.\n\n<details><summary>Output</summary>\n\n\`\`\`\n${stdout.trim()}\n\`\`\`\n</details>\n`,
      );
      return;
    }
  }
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
    }));
  const diff = unifiedDiff(baseline.manifest, rendered, {
    fromLabel: baseline.label.replace(/`/g, ''),
    toLabel: 'rendered',
  });
  return { rendered, baseline, diff };
}

function changeMarkdown(environment: LoadedEnvironment, change: Change): string {
  const { added, removed } = diffStats(change.diff);
  const headline =
    change.diff === ''
      ? `No changes to the rendered manifests (compared with ${change.baseline.label}).`
      : `Rendered manifests change by **+${added} −${removed}** lines compared with ${change.baseline.label}.`;
  const note = change.baseline.note ? `\n\n_${change.baseline.note}_` : '';
  const images = Object.entries(environment.release.services)
    .map(
      ([service, image]) =>
        `| ${service} | \`${image?.tag ?? ''}\` | \`${image?.digest ?? '(none)'}\` |`,
    )
    .join('\n');
  const body = change.diff
    ? `\n\n<details><summary>Manifest diff</summary>\n\n\`\`\`diff\n${change.diff}\`\`\`\n</details>`
    : '';
  return `### Helm\n\n${headline}${note}\n\n| Service | Tag | Digest |\n|---|---|---|\n${images}${body}\n`;
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
  const markdown = changeMarkdown(environment, change);
  await publishSection({ environment: environment.name, section: 'helm', markdown });
}

async function upgrade(
  inputs: HelmInputs,
  root: string,
  environment: LoadedEnvironment,
  target: ReleaseTarget,
): Promise<void> {
  const images = releaseImages(environment, chartServices(target.chart), { requireAll: true });
  const change = await changeOf(inputs, root, environment, target);
  core.startGroup('What will change');
  core.info(change.diff || 'no changes to the rendered manifests');
  core.endGroup();
  writeSummary(changeMarkdown(environment, change));

  const sha = process.env.GITHUB_SHA;
  if (!sha) throw new Error('GITHUB_SHA is not set: the deployment records the commit it deploys');
  const deployment = await Deployment.create(githubClient(), repoFromEnv(), {
    ref: sha,
    environment: environment.name,
    description: `helm upgrade ${target.release} (${environment.name})`,
    payload: {
      images: Object.fromEntries(
        images.images.map((i) => [i.service, { tag: i.tag, digest: i.digest ?? null }]),
      ),
      registry: images.registry,
    },
    ...(runUrl() ? { logUrl: runUrl() } : {}),
  });
  core.setOutput('deployment-id', String(deployment.id));
  await deployment.setStatus('in_progress', `upgrading ${target.release}`);

  let environmentUrl = environment.env.app.url || '';
  try {
    await runCli(inputs.helm, upgradeArgs(target, imageArgs(images), inputs.timeout));
    const status = await runCli(inputs.helm, statusArgs(target), { silent: true });
    const revision = (JSON.parse(status.stdout) as { version?: number }).version;
    if (revision !== undefined) core.setOutput('revision', String(revision));
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
        throw new Error(
          `smoke test of ${smokeUrl} failed after ${result.attempts} attempt(s): ${result.lastError}`,
        );
      }
      core.info(`smoke test of ${smokeUrl} passed (attempt ${result.attempts})`);
    }
  } catch (error) {
    await deployment.setStatus(
      'failure',
      describeError(error).split('\n')[0] ?? 'failed',
      environmentUrl || undefined,
    );
    writeSummary(`**Deployment to \`${environment.name}\` failed:** ${describeError(error)}\n`);
    throw error;
  }
  await deployment.setStatus('success', `${target.release} is live`, environmentUrl || undefined);
  writeSummary(
    `**Deployed to \`${environment.name}\`**${environmentUrl ? ` — ${environmentUrl}` : ''}.\n`,
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
