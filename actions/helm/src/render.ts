import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CliError,
  describeError,
  loadEnvironment,
  runCli,
  type LoadedEnvironment,
} from '@movies/actions-lib';
import { chartServices, redactSecrets } from './chart';
import {
  environmentValuesFile,
  getManifestArgs,
  lintArgs,
  templateArgs,
  type ReleaseTarget,
} from './helmArgs';
import { imageArgs, releaseImages, type ImageOverride, type ImageSettings } from './images';

type RenderTarget = Omit<ReleaseTarget, 'valuesFile' | 'chart' | 'kubeVersion'> & {
  chart?: string;
};

async function render(
  helm: string,
  root: string,
  environment: LoadedEnvironment,
  target: RenderTarget,
  images: (chart: string) => ImageSettings,
  lintFirst: boolean,
): Promise<string> {
  const chart = target.chart ?? path.join(root, 'chart');
  const args = imageArgs(images(chart));
  const full: ReleaseTarget = {
    ...target,
    chart,
    valuesFile: environmentValuesFile(root, environment.name),
    kubeVersion: environment.env.cluster.kubernetes_version,
  };
  if (lintFirst) await lint(helm, root, full, args);
  const { stdout } = await runCli(helm, templateArgs(full, args), { cwd: root, silent: true });
  return redactSecrets(stdout);
}

/**
 * `helm template` of the chart for one environment at its cluster's Kubernetes version, with
 * its release images; Secrets redacted. With `lint`, `helm lint` with the same values runs first
 * and its findings fail the render.
 */
export async function renderRelease(
  helm: string,
  root: string,
  environment: LoadedEnvironment,
  target: RenderTarget,
  options: {
    requireAll: boolean;
    lint?: boolean;
    registry?: string;
    images?: ImageOverride;
  },
): Promise<string> {
  return render(
    helm,
    root,
    environment,
    target,
    (chart) => releaseImages(environment, chartServices(chart), options),
    options.lint ?? false,
  );
}

/** The image every service gets in the review render, so the hash covers chart and values only. */
const REVIEW_IMAGE = { registry: 'reviewed.invalid', tag: 'reviewed' };

/**
 * The hash a pull request's Helm review records: sha256 of the render with every image replaced
 * by one placeholder. Images reach environments by their own path (ci's digests for the
 * environment that follows main, the promotion gate for the others), so what a reviewer approves
 * here is the chart and the environment's values at its Kubernetes version.
 */
export async function reviewHash(
  helm: string,
  root: string,
  environment: LoadedEnvironment,
  target: RenderTarget,
): Promise<string> {
  const manifest = await render(
    helm,
    root,
    environment,
    target,
    (chart) => ({
      registry: REVIEW_IMAGE.registry,
      images: chartServices(chart).map((service) => ({ service, tag: REVIEW_IMAGE.tag })),
    }),
    false,
  );
  return createHash('sha256').update(manifest).digest('hex');
}

/** `helm lint` prints its findings on stdout and only a count on stderr: fail with the findings. */
async function lint(
  helm: string,
  root: string,
  target: ReleaseTarget,
  images: string[],
): Promise<void> {
  try {
    await runCli(helm, lintArgs(target, images), { cwd: root, silent: true });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const findings = error.stdout
      .split('\n')
      .filter((line) => /^\[(ERROR|WARNING)\]|^\s+- /.test(line))
      .join('\n');
    throw new Error(
      `helm lint of the chart with ${path.relative(root, target.valuesFile)} failed:\n${findings || error.message}`,
      { cause: error },
    );
  }
}

export interface Baseline {
  /** What the render is compared with, for humans. */
  label: string;
  manifest: string;
  /** Why there is no real baseline, when there is none. */
  note?: string;
}

/** The manifest of the deployed release; null when the cluster cannot be reached. */
export async function deployedManifest(
  helm: string,
  target: ReleaseTarget,
): Promise<Baseline | null> {
  if (!target.kubeconfig) return null;
  try {
    const { stdout } = await runCli(helm, getManifestArgs(target), { silent: true });
    return { label: `deployed release \`${target.release}\``, manifest: redactSecrets(stdout) };
  } catch (error) {
    const message = describeError(error);
    if (/release: not found/.test(message)) {
      return {
        label: `deployed release \`${target.release}\``,
        manifest: '',
        note: 'not installed yet: this is a first install',
      };
    }
    return null;
  }
}

/**
 * The render of the same environment from the base branch: from `baseDir` (a checkout) or from a
 * temporary `git worktree` of `baseRef`. An environment or chart the base does not have renders
 * as nothing, with a note saying why.
 */
export async function baseRender(
  helm: string,
  root: string,
  environmentName: string,
  target: RenderTarget,
  base: { baseDir?: string; baseRef?: string; registry?: string },
): Promise<Baseline> {
  const registry = base.registry ?? '';
  if (base.baseDir)
    return renderBase(
      helm,
      base.baseDir,
      environmentName,
      target,
      `base checkout \`${base.baseDir}\``,
      registry,
    );
  if (!base.baseRef) {
    return {
      label: 'nothing',
      manifest: '',
      note: 'no cluster to compare with and no base-ref/base-dir given',
    };
  }
  const worktree = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'helm-base-'));
  try {
    await runCli('git', ['-C', root, 'worktree', 'add', '--detach', worktree, base.baseRef], {
      silent: true,
    });
  } catch (error) {
    fs.rmSync(worktree, { recursive: true, force: true });
    return {
      label: `base \`${base.baseRef}\``,
      manifest: '',
      note: `base ref ${base.baseRef} is not available (${describeError(error).split('\n').pop()}); check out with fetch-depth: 0`,
    };
  }
  try {
    return await renderBase(
      helm,
      worktree,
      environmentName,
      target,
      `base \`${base.baseRef}\``,
      registry,
    );
  } finally {
    await runCli('git', ['-C', root, 'worktree', 'remove', '--force', worktree], {
      silent: true,
    }).catch(() => undefined);
    fs.rmSync(worktree, { recursive: true, force: true });
  }
}

async function renderBase(
  helm: string,
  baseRoot: string,
  environmentName: string,
  target: RenderTarget,
  label: string,
  registry: string,
): Promise<Baseline> {
  if (!fs.existsSync(path.join(baseRoot, 'environments', environmentName))) {
    return {
      label,
      manifest: '',
      note: `environment ${environmentName} does not exist on the base`,
    };
  }
  try {
    const environment = loadEnvironment(baseRoot, environmentName);
    const manifest = await renderRelease(helm, baseRoot, environment, target, {
      requireAll: false,
      registry,
    });
    return { label, manifest };
  } catch (error) {
    return {
      label,
      manifest: '',
      note: `the base does not render: ${describeError(error).split('\n')[0]}`,
    };
  }
}
