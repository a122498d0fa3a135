import * as core from '@actions/core';
import { parseDuration } from '@movies/actions-lib';

export const COMMANDS = ['bootstrap', 'rotate-jwt', 'sync'] as const;
export type SecretsCommand = (typeof COMMANDS)[number];

export interface SecretsInputs {
  command: SecretsCommand;
  environment: string;
  kubeconfig: string;
  namespace: string;
  terraformOutputs: string;
  caBundle: string;
  minRotationIntervalMs: number;
}

export function readInputs(): SecretsInputs {
  const command = core.getInput('command', { required: true }) as SecretsCommand;
  if (!COMMANDS.includes(command))
    throw new Error(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
  const namespace = core.getInput('namespace') || 'movies';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
    throw new Error(`input namespace: "${namespace}" is not a Kubernetes namespace name`);
  return {
    command,
    environment: core.getInput('environment', { required: true }),
    kubeconfig: core.getInput('kubeconfig'),
    namespace,
    terraformOutputs: core.getInput('terraform-outputs'),
    caBundle: core.getInput('ca-bundle'),
    minRotationIntervalMs: parseDuration(
      core.getInput('min-rotation-interval') || '1h',
      'min-rotation-interval',
    ),
  };
}
