import fs from 'node:fs';
import * as core from '@actions/core';
import {
  CliError,
  githubClient,
  loadEnvironment,
  repoFromEnv,
  runCli,
  TEARDOWN_PAYLOAD,
  workspaceRoot,
  writeSummary,
  type LoadedEnvironment,
} from '@movies/actions-lib';

export const COMMANDS = ['inspect', 'record'] as const;
export type TeardownCommand = (typeof COMMANDS)[number];

interface TerraformOutputs {
  [name: string]: { value?: unknown } | undefined;
}

function readOutputs(file: string): TerraformOutputs {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `input terraform-outputs: ${file} cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text) as TerraformOutputs;
  } catch (error) {
    throw new Error(`input terraform-outputs: ${file} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Whether kOps still has the cluster: `kops get cluster` answers, or says it is not found. */
export async function clusterExists(
  kops: string,
  name: string,
  stateStore: string,
): Promise<boolean> {
  try {
    await runCli(kops, ['get', 'cluster', '--name', name, '--state', stateStore], { silent: true });
    return true;
  } catch (error) {
    if (
      error instanceof CliError &&
      /not found|does not exist|NoSuchBucket/i.test(`${error.stderr}\n${error.stdout}`)
    )
      return false;
    throw error;
  }
}

/**
 * `record`: a GitHub deployment of the environment marked as its teardown, so the next deploy
 * finds no successful deployment after it and applies everything again (and promotions never
 * take images from an environment that is gone).
 */
async function record(environment: LoadedEnvironment): Promise<void> {
  const sha = process.env.GITHUB_SHA;
  if (!sha) throw new Error('GITHUB_SHA is not set: the teardown record names the commit');
  const octokit = githubClient();
  const repo = repoFromEnv();
  const { data } = await octokit.rest.repos.createDeployment({
    ...repo,
    ref: sha,
    environment: environment.name,
    description: `teardown of ${environment.name}`,
    payload: TEARDOWN_PAYLOAD,
    auto_merge: false,
    required_contexts: [],
    production_environment: environment.name === 'prod',
  });
  const id = (data as { id?: number }).id;
  if (typeof id !== 'number') throw new Error('GitHub did not create the teardown deployment');
  await octokit.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state: 'success',
    description: `${environment.name} was torn down`,
    auto_inactive: true,
  });
  core.setOutput('deployment-id', String(id));
  writeSummary(`Recorded the teardown of \`${environment.name}\` (deployment ${id}).\n`);
}

export async function run(): Promise<void> {
  const command = core.getInput('command') || 'inspect';
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new Error(`input command must be one of ${COMMANDS.join(', ')} (got "${command}")`);
  const environment = loadEnvironment(
    workspaceRoot(),
    core.getInput('environment', { required: true }),
  );
  if (command === 'record') return record(environment);
  const file = core.getInput('terraform-outputs');
  if (!file) throw new Error('input terraform-outputs is required for inspect');
  const outputs = readOutputs(file);
  const stateEmpty = Object.keys(outputs).length === 0;
  const name = String(outputs.cluster_name?.value ?? environment.env.cluster.name);
  const stateStore = String(outputs.kops_state_store?.value ?? '');
  const exists = stateStore
    ? await clusterExists(core.getInput('kops-path') || 'kops', name, stateStore)
    : false;
  core.setOutput('state-empty', String(stateEmpty));
  core.setOutput('cluster-exists', String(exists));
  core.setOutput('cluster-name', name);
  core.setOutput('state-store', stateStore);
  writeSummary(
    [
      `### What is left of \`${environment.name}\``,
      '',
      `- Terraform state: ${stateEmpty ? 'empty (nothing left to destroy)' : 'holds resources'}`,
      `- kOps cluster \`${name}\`: ${exists ? 'exists' : stateStore ? 'gone' : 'no state store left'}`,
      '',
    ].join('\n'),
  );
}
