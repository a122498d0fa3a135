import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  githubClient,
  loadEnvironment,
  parseSections,
  pullRequestNumber,
  environmentMarker,
  repoFromEnv,
  upsertCommentSection,
  workspaceRoot,
  writeSummary,
  type GitHubClient,
} from '@movies/actions-lib';
import { sensitiveValues } from './attributes';
import { writeGeneratedFiles } from './config';
import { countChanges, hasChanges, planHash, type PlanDocument } from './plan';
import { renderPlan, reviewedHash } from './render';
import { terraformRunner, TerraformFailure, type TerraformRunner } from './terraform-cli';

export const COMMANDS = ['plan', 'apply', 'destroy-plan', 'destroy', 'output'] as const;
export type Command = (typeof COMMANDS)[number];
export const COMMENT_SECTION = 'terraform';

interface Inputs {
  environment: string;
  command: Command;
  workingDirectory: string;
  planHash: string;
  pullRequest: number | null;
}

function readInputs(): Inputs {
  const command = core.getInput('command', { required: true });
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new Error(`input command must be one of ${COMMANDS.join(', ')} (got "${command}")`);
  const hash = core.getInput('plan-hash').trim();
  if (hash && !/^[0-9a-f]{64}$/.test(hash))
    throw new Error(`input plan-hash must be 64 hex characters (a sha256), got "${hash}"`);
  const pr = core.getInput('pull-request').trim();
  if (pr && !/^[1-9][0-9]*$/.test(pr))
    throw new Error(`input pull-request must be a pull request number, got "${pr}"`);
  return {
    environment: core.getInput('environment', { required: true }),
    command: command as Command,
    workingDirectory: core.getInput('working-directory') || 'terraform/environment',
    planHash: hash,
    pullRequest: pr ? Number(pr) : null,
  };
}

/** The pull request a plan comment belongs to: the input, else the pull_request event's. */
function pullRequestOf(inputs: Inputs): number | null {
  return inputs.pullRequest ?? pullRequestNumber();
}

/** Masks every sensitive value of the plan in the log, before anything could print it. */
function maskSensitive(plan: PlanDocument): void {
  const changes = [
    ...(plan.resource_changes ?? []).map((r) => r.change),
    ...Object.values(plan.output_changes ?? {}),
  ];
  for (const change of changes) for (const value of sensitiveValues(change)) core.setSecret(value);
}

interface PlannedRun {
  plan: PlanDocument;
  hash: string;
  planFile: string;
  changes: boolean;
}

async function planAndShow(
  terraform: TerraformRunner,
  inputs: Inputs,
  artifacts: string,
): Promise<PlannedRun> {
  const destroy = inputs.command === 'destroy-plan' || inputs.command === 'destroy';
  const planFile = path.join(artifacts, `${inputs.environment}.tfplan`);
  const planned = await terraform(
    [
      'plan',
      '-input=false',
      '-no-color',
      `-out=${planFile}`,
      '-detailed-exitcode',
      ...(destroy ? ['-destroy'] : []),
    ],
    {
      okExitCodes: [0, 2],
    },
  );
  const shown = await terraform(['show', '-json', '-no-color', planFile], { silent: true });
  let plan: PlanDocument;
  try {
    plan = JSON.parse(shown.stdout) as PlanDocument;
  } catch (error) {
    throw new TerraformFailure(
      'show-failed',
      `terraform show -json did not print a plan document: ${(error as Error).message}`,
    );
  }
  maskSensitive(plan);
  const counts = countChanges(plan);
  const hash = planHash(plan);
  const changes = planned.exitCode === 2 || hasChanges(counts);
  core.setOutput('changes', String(changes));
  core.setOutput('to-add', String(counts.add));
  core.setOutput('to-change', String(counts.change));
  core.setOutput('to-destroy', String(counts.destroy));
  core.setOutput('plan-hash', hash);
  const report = renderPlan({
    environment: inputs.environment,
    command: inputs.command,
    plan,
    hash,
  });
  const reportFile = path.join(artifacts, `${inputs.environment}-plan.md`);
  fs.writeFileSync(reportFile, `${report}\n`);
  core.setOutput('plan-path', reportFile);
  core.setOutput('planfile-path', planFile);
  core.info(
    `plan hash ${hash}: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy`,
  );
  return { plan, hash, planFile, changes };
}

/** The plan hash reviewed on the pull request merged as this commit (GITHUB_SHA). */
async function hashFromMergedPullRequest(
  octokit: GitHubClient,
  environment: string,
): Promise<{ hash: string | null; pullRequest: number | null }> {
  const { owner, repo } = repoFromEnv();
  const sha = process.env.GITHUB_SHA;
  if (!sha)
    throw new Error(
      'GITHUB_SHA is not set: cannot find the merged pull request (or pass the plan-hash input)',
    );
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: sha,
  });
  const merged = pulls.find((pull) => pull.merged_at) ?? pulls[0];
  if (!merged) return { hash: null, pullRequest: null };
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: merged.number,
    per_page: 100,
  });
  const comment = comments.find((c) => c.body?.includes(environmentMarker(environment)));
  const section = comment ? parseSections(comment.body ?? '').get(COMMENT_SECTION) : undefined;
  return { hash: section ? reviewedHash(section) : null, pullRequest: merged.number };
}

async function postComment(environment: string, pullRequest: number, body: string): Promise<void> {
  const { owner, repo } = repoFromEnv();
  const comment = await upsertCommentSection({
    octokit: githubClient(),
    owner,
    repo,
    issueNumber: pullRequest,
    environment,
    section: COMMENT_SECTION,
    body,
  });
  core.info(
    `${comment.created ? 'created' : 'updated'} the ${environment} comment on #${pullRequest}: ${comment.url}`,
  );
}

async function writeOutputs(
  terraform: TerraformRunner,
  environment: string,
  artifacts: string,
): Promise<void> {
  const result = await terraform(['output', '-json', '-no-color'], { silent: true });
  let outputs: Record<string, { sensitive?: boolean; value?: unknown }>;
  try {
    outputs = JSON.parse(result.stdout) as typeof outputs;
  } catch (error) {
    throw new TerraformFailure(
      'output-failed',
      `terraform output -json did not print JSON: ${(error as Error).message}`,
    );
  }
  for (const output of Object.values(outputs)) {
    if (output.sensitive)
      for (const value of sensitiveValues({
        actions: [],
        after: output.value,
        after_sensitive: true,
      }))
        core.setSecret(value);
  }
  const file = path.join(artifacts, `${environment}-outputs.json`);
  fs.writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o600 });
  core.setOutput('outputs-path', file);
  writeSummary(
    `### Terraform outputs for \`${environment}\`\n\n${Object.keys(outputs)
      .map((name) => `- \`${name}\`${outputs[name]!.sensitive ? ' (sensitive)' : ''}`)
      .join('\n')}\n`,
  );
}

async function execute(inputs: Inputs): Promise<void> {
  const root = workspaceRoot();
  const { env } = loadEnvironment(root, inputs.environment);
  const workingDirectory = path.resolve(root, inputs.workingDirectory);
  const { backendPath } = writeGeneratedFiles(workingDirectory, env);
  const artifacts = path.join(
    process.env.RUNNER_TEMP || os.tmpdir(),
    'terraform',
    inputs.environment,
  );
  fs.mkdirSync(artifacts, { recursive: true });
  const terraform = terraformRunner(workingDirectory);
  await terraform([
    'init',
    '-input=false',
    '-no-color',
    '-reconfigure',
    `-backend-config=${backendPath}`,
  ]);

  if (inputs.command === 'output') return writeOutputs(terraform, inputs.environment, artifacts);

  const planned = await planAndShow(terraform, inputs, artifacts);
  const report = renderPlan({
    environment: inputs.environment,
    command: inputs.command,
    plan: planned.plan,
    hash: planned.hash,
  });

  if (inputs.command === 'plan' || inputs.command === 'destroy-plan') {
    writeSummary(report);
    const pullRequest = pullRequestOf(inputs);
    if (pullRequest) await postComment(inputs.environment, pullRequest, report);
    else core.info('not a pull request: the plan is in the job summary only');
    return;
  }

  let reviewed = inputs.planHash;
  let pullRequest = inputs.pullRequest;
  if (!reviewed) {
    const found = await hashFromMergedPullRequest(githubClient(), inputs.environment);
    reviewed = found.hash ?? '';
    pullRequest ??= found.pullRequest;
    if (!reviewed) {
      throw new TerraformFailure(
        'no-reviewed-plan',
        `no reviewed plan for ${inputs.environment}: pass plan-hash, or merge through a pull request whose ${inputs.environment} comment holds a plan`,
      );
    }
  }
  if (reviewed !== planned.hash) {
    writeSummary(
      `> [!CAUTION]\n> **Refused to ${inputs.command}:** the fresh plan differs from the reviewed one (reviewed \`${reviewed}\`, now \`${planned.hash}\`). Review the new plan below in a pull request.\n\n${report}`,
    );
    throw new TerraformFailure(
      'plan-changed',
      `the fresh plan for ${inputs.environment} (hash ${planned.hash}) differs from the reviewed plan (hash ${reviewed}): nothing was applied; plan and review again`,
    );
  }
  if (!planned.changes) {
    writeSummary(`${report}\n\nNothing to apply.`);
    return;
  }
  const applied = await terraform(['apply', '-input=false', '-no-color', planned.planFile]);
  const outcome =
    /Apply complete!.*|Destroy complete!.*/.exec(applied.stdout)?.[0] ?? 'Apply finished.';
  const appliedReport = `**${inputs.command === 'destroy' ? 'Destroyed' : 'Applied'}** (${outcome}) — plan hash \`${planned.hash}\` matched the reviewed plan.\n\n${report}`;
  writeSummary(appliedReport);
  if (pullRequest) await postComment(inputs.environment, pullRequest, appliedReport);
}

/** On a pull request, a failed plan replaces the stale plan in the comment so nobody reviews an old one. */
async function reportFailedPlan(inputs: Inputs, error: unknown): Promise<void> {
  if (inputs.command !== 'plan' && inputs.command !== 'destroy-plan') return;
  let pullRequest: number | null;
  try {
    pullRequest = pullRequestOf(inputs);
  } catch {
    return;
  }
  if (!pullRequest) return;
  const reason = error instanceof TerraformFailure ? error.reason : 'error';
  const message = error instanceof Error ? error.message : String(error);
  const body = [
    `### Terraform ${inputs.command === 'destroy-plan' ? 'destroy plan' : 'plan'} for \`${inputs.environment}\` failed`,
    `> [!CAUTION]\n> The plan could not be made (\`${reason}\`): there is no plan to review.`,
    `\`\`\`\n${message}\n\`\`\``,
  ].join('\n\n');
  try {
    await postComment(inputs.environment, pullRequest, body);
  } catch (postError) {
    core.warning(
      `could not report the failed plan on #${pullRequest}: ${(postError as Error).message}`,
    );
  }
}

export async function run(): Promise<void> {
  const inputs = readInputs();
  try {
    await execute(inputs);
  } catch (error) {
    if (error instanceof TerraformFailure) core.setOutput('failure-reason', error.reason);
    await reportFailedPlan(inputs, error);
    throw error;
  }
}
