import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { parseDuration, parseImages } from '@movies/actions-lib';
import type { ImageOverride } from './images';

export const COMMANDS = ['diff', 'upgrade', 'rollback', 'uninstall', 'test'] as const;
export type HelmCommand = (typeof COMMANDS)[number];

export interface HelmInputs {
  command: HelmCommand;
  environment: string;
  chart: string;
  release: string;
  namespace: string;
  kubeconfig: string;
  timeout: string;
  revision: string;
  baseRef: string;
  baseDir: string;
  smokeUrl: string;
  smokeTimeoutMs: number;
  smokeIntervalMs: number;
  helm: string;
  kubectl: string;
  outputDir: string;
  /** The one ECR registry (empty: the shared account's registry in the environment's region). */
  imageRegistry: string;
  /** ci's pushed images for the environment that follows main (null: from release.yaml). */
  images: ImageOverride | null;
  /** upgrade: refuse a render no pull request merged since `reviewedSince` showed. */
  verifyReviewed: boolean;
  reviewedSince: string;
}

const SHA = /^[0-9a-f]{40}$/;

/** The `images` input: `{"<service>": {"tag": "<40-hex sha>", "digest": "sha256:<64 hex>"}, …}`. */
export function parseImagesInput(text: string): ImageOverride | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`input images is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseImages(value, 'input images') as ImageOverride;
}

function boolean(name: string): boolean {
  const value = (core.getInput(name) || 'false').trim();
  if (value !== 'true' && value !== 'false')
    throw new Error(`input ${name} must be "true" or "false" (got "${value}")`);
  return value === 'true';
}

function reviewedSince(): string {
  const since = core.getInput('reviewed-since').trim();
  if (since && !SHA.test(since))
    throw new Error(`input reviewed-since must be a 40-hex commit sha, got "${since}"`);
  return since;
}

export function readInputs(root: string): HelmInputs {
  const command = core.getInput('command', { required: true }) as HelmCommand;
  if (!COMMANDS.includes(command)) {
    throw new Error(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
  }
  const environment = core.getInput('environment', { required: true });
  const timeout = core.getInput('timeout') || '10m';
  parseDuration(timeout, 'timeout');
  const revision = core.getInput('revision');
  if (revision && !/^[1-9]\d*$/.test(revision)) {
    throw new Error(`input revision: "${revision}" is not a release revision number`);
  }
  const kubeconfig = core.getInput('kubeconfig');
  return {
    command,
    environment,
    chart: path.resolve(root, core.getInput('chart') || 'chart'),
    release: core.getInput('release') || 'movies',
    namespace: core.getInput('namespace') || 'movies',
    kubeconfig: kubeconfig ? path.resolve(root, kubeconfig) : '',
    timeout,
    revision,
    baseRef: core.getInput('base-ref'),
    baseDir: core.getInput('base-dir') ? path.resolve(root, core.getInput('base-dir')) : '',
    smokeUrl: core.getInput('smoke-url'),
    smokeTimeoutMs: parseDuration(core.getInput('smoke-timeout') || '5m', 'smoke-timeout'),
    smokeIntervalMs: parseDuration(core.getInput('smoke-interval') || '10s', 'smoke-interval'),
    helm: core.getInput('helm-path') || 'helm',
    kubectl: core.getInput('kubectl-path') || 'kubectl',
    outputDir:
      core.getInput('output-dir') ||
      path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'helm', environment),
    imageRegistry: core.getInput('image-registry').trim(),
    images: parseImagesInput(core.getInput('images')),
    verifyReviewed: boolean('verify-reviewed'),
    reviewedSince: reviewedSince(),
  };
}
