import * as core from '@actions/core';
import { parseDuration } from '@movies/actions-lib';

export const COMMANDS = ['plan', 'apply', 'destroy-plan', 'destroy', 'output'] as const;
export type Command = (typeof COMMANDS)[number];
export const POLICIES = ['report', 'enforce', 'off'] as const;
export type Policy = (typeof POLICIES)[number];

export interface Inputs {
  environment: string;
  command: Command;
  workingDirectory: string;
  planHash: string;
  pullRequest: number | null;
  /** Terraform's `-lock-timeout`, in seconds. */
  lockTimeoutSeconds: number;
  /** The commit the environment was last deployed from: reviewed plans are looked up after it. */
  reviewedSince: string;
  policy: Policy;
  checkov: string;
  /** `-var name=value` pairs for plan/apply (e.g. the teardown switch). */
  variables: Array<[string, string]>;
  /** `-target` addresses: plan and apply only these (and what they depend on). */
  targets: string[];
}

const SHA = /^[0-9a-f]{40}$/;

function parseVariables(text: string): Array<[string, string]> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line);
      if (!match)
        throw new Error(`input variables: "${line}" is not name=value (one variable per line)`);
      return [match[1]!, match[2]!];
    });
}

export function readInputs(): Inputs {
  const command = core.getInput('command', { required: true });
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new Error(`input command must be one of ${COMMANDS.join(', ')} (got "${command}")`);
  const hash = core.getInput('plan-hash').trim();
  if (hash && !/^[0-9a-f]{64}$/.test(hash))
    throw new Error(`input plan-hash must be 64 hex characters (a sha256), got "${hash}"`);
  const pr = core.getInput('pull-request').trim();
  if (pr && !/^[1-9][0-9]*$/.test(pr))
    throw new Error(`input pull-request must be a pull request number, got "${pr}"`);
  const since = core.getInput('reviewed-since').trim();
  if (since && !SHA.test(since))
    throw new Error(`input reviewed-since must be a 40-hex commit sha, got "${since}"`);
  const policy = core.getInput('policy') || 'report';
  if (!(POLICIES as readonly string[]).includes(policy))
    throw new Error(`input policy must be one of ${POLICIES.join(', ')} (got "${policy}")`);
  return {
    environment: core.getInput('environment', { required: true }),
    command: command as Command,
    workingDirectory: core.getInput('working-directory') || 'terraform/environment',
    planHash: hash,
    pullRequest: pr ? Number(pr) : null,
    lockTimeoutSeconds: Math.ceil(
      parseDuration(core.getInput('lock-timeout') || '10m', 'lock-timeout') / 1000,
    ),
    reviewedSince: since,
    policy: policy as Policy,
    checkov: core.getInput('checkov-path') || 'checkov',
    variables: parseVariables(core.getInput('variables')),
    targets: core
      .getInput('targets')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  };
}
