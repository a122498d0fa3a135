import * as core from '@actions/core';
import {
  githubClient,
  repoFromEnv,
  workspaceRoot,
  type LoadedEnvironment,
} from '@movies/actions-lib';
import { runGate } from './gate-command';
import { runOpenPr } from './open-pr';
import { EcrImageRegistry, type ImageRegistry } from './registry';
import { runVerifyRelease } from './verify-release';

export const COMMANDS = ['gate', 'open-pr', 'verify-release'] as const;
export type PromoteCommand = (typeof COMMANDS)[number];

export interface Dependencies {
  /** The registry promoted images must exist in: the one ECR registry of the shared account. */
  registryFor(target: LoadedEnvironment): ImageRegistry;
}

export const defaultDependencies: Dependencies = {
  registryFor: (target) =>
    new EcrImageRegistry({
      region: core.getInput('aws-region') || target.env.aws.region,
      registryId: core.getInput('registry-id') || target.env.aws.account_id,
    }),
};

function runUrl(): string {
  const server = process.env.GITHUB_SERVER_URL || 'https://github.com';
  return `${server}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`;
}

function defaultBranch(): string {
  return core.getInput('base') || 'main';
}

export async function run(dependencies: Dependencies = defaultDependencies): Promise<void> {
  const command = core.getInput('command', { required: true });
  const octokit = githubClient();
  const repo = repoFromEnv();
  const workspace = workspaceRoot();
  switch (command) {
    case 'gate':
      await runGate({
        octokit,
        repo,
        workspace,
        registryFor: dependencies.registryFor,
        runUrl: runUrl(),
      });
      return;
    case 'open-pr':
      await runOpenPr({
        octokit,
        repo,
        workspace,
        target: core.getInput('target', { required: true }),
        base: defaultBranch(),
        runUrl: runUrl(),
      });
      return;
    case 'verify-release':
      await runVerifyRelease({
        octokit,
        repo,
        workspace,
        environment: core.getInput('environment', { required: true }),
        registryFor: dependencies.registryFor,
      });
      return;
    default:
      throw new Error(
        `input command must be one of ${COMMANDS.join(', ')} (got ${JSON.stringify(command)})`,
      );
  }
}
