import * as core from '@actions/core';
import { CliError, runCli, type CliResult } from '@movies/actions-lib';
import { describeStateLock, parseStateLock } from './state-lock';

/** A failure the workflow can branch on through the `failure-reason` output. */
export class TerraformFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'TerraformFailure';
  }
}

export interface TerraformRunner {
  (args: string[], options?: { silent?: boolean; okExitCodes?: number[] }): Promise<CliResult>;
}

/**
 * Runs `terraform` in the working directory, non-interactive and without colour (its output is
 * parsed). A state lock error becomes `TerraformFailure('state-locked')` with the lock details;
 * any other failure becomes `<subcommand>-failed`.
 */
export function terraformRunner(workingDirectory: string, binary = 'terraform'): TerraformRunner {
  return async (args, options = {}) => {
    try {
      return await runCli(binary, args, {
        cwd: workingDirectory,
        env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
        silent: options.silent,
        okExitCodes: options.okExitCodes,
      });
    } catch (error) {
      if (error instanceof CliError) {
        const lock = parseStateLock(`${error.stderr}\n${error.stdout}`);
        if (lock) {
          core.setOutput('lock-id', lock.id);
          throw new TerraformFailure('state-locked', describeStateLock(lock));
        }
        throw new TerraformFailure(`${args[0] ?? 'terraform'}-failed`, error.message);
      }
      throw error;
    }
  };
}
