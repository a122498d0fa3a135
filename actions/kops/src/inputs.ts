import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { parseDuration } from '@movies/actions-lib';

export const COMMANDS = [
  'render',
  'diff',
  'apply',
  'validate',
  'export-kubeconfig',
  'delete',
] as const;
export type KopsCommand = (typeof COMMANDS)[number];

export interface KopsInputs {
  command: KopsCommand;
  environment: string;
  terraformOutputs: string;
  stateStore: string;
  outputDir: string;
  kops: string;
  validateTimeout: string;
  kubeconfig: string;
  adminTtl: string;
  confirmDelete: string;
}

/** kOps takes Go durations; check them here so a typo fails before anything runs. */
function duration(name: string, value: string): string {
  parseDuration(value, name);
  return value;
}

/** s3:// in AWS; file:// for local experiments and the offline checks of the tests. */
function stateStore(value: string): string {
  if (value && !/^(s3:\/\/[a-z0-9.-]+|file:\/\/\/.+)\/?$/.test(value)) {
    throw new Error(`input state-store: "${value}" is not s3://<bucket> (or file:///<path>)`);
  }
  return value.replace(/\/$/, '');
}

export function readInputs(): KopsInputs {
  const command = core.getInput('command', { required: true }) as KopsCommand;
  if (!COMMANDS.includes(command)) {
    throw new Error(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
  }
  const environment = core.getInput('environment', { required: true });
  const scratch = process.env.RUNNER_TEMP || os.tmpdir();
  return {
    command,
    environment,
    terraformOutputs: core.getInput('terraform-outputs'),
    stateStore: stateStore(core.getInput('state-store')),
    outputDir: core.getInput('output-dir') || path.join(scratch, 'kops', environment),
    kops: core.getInput('kops-path') || 'kops',
    validateTimeout: duration('validate-timeout', core.getInput('validate-timeout') || '15m'),
    kubeconfig: core.getInput('kubeconfig') || path.join(scratch, `kubeconfig-${environment}`),
    adminTtl: duration('admin-ttl', core.getInput('admin-ttl') || '1h'),
    confirmDelete: core.getInput('confirm-delete'),
  };
}
