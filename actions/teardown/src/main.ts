import fs from 'node:fs';
import * as core from '@actions/core';
import {
  CliError,
  loadEnvironment,
  runCli,
  workspaceRoot,
  writeSummary,
} from '@movies/actions-lib';

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

export async function run(): Promise<void> {
  const environment = loadEnvironment(
    workspaceRoot(),
    core.getInput('environment', { required: true }),
  );
  const outputs = readOutputs(core.getInput('terraform-outputs', { required: true }));
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
