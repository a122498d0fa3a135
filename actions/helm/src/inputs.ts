import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { parseDuration } from '@movies/actions-lib';

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
  };
}
