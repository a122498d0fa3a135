import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  describeError,
  describeRefusals,
  githubClient,
  loadEnvironment,
  readEvent,
  repoFromEnv,
  reviewedRecords,
  upsertCommentSection,
  workspaceRoot,
  writeSummary,
} from '@movies/actions-lib';
import { sensitiveValues } from './attributes';
import { writeGeneratedFiles } from './config';
import { readInputs, type Inputs } from './inputs';
import { actionKind, countChanges, hasChanges, planHash, type PlanDocument } from './plan';
import { checkPlan, renderPolicy, type PolicyReport } from './policy';
import { renderPlan } from './render';
import { terraformRunner, TerraformFailure, type TerraformRunner } from './terraform-cli';

export { COMMANDS, type Command } from './inputs';
export const COMMENT_SECTION = 'terraform';

/** The pull request of a pull_request event, with the commit the plan is made of. */
interface PlannedPull {
  number: number;
  head: string;
  base: string;
  baseRef: string;
}

function eventPullRequest(): PlannedPull | null {
  const event = readEvent();
  if (!event.name.startsWith('pull_request')) return null;
  const pull = event.payload.pull_request as
    { number?: number; head?: { sha?: string }; base?: { sha?: string; ref?: string } } | undefined;
  if (typeof pull?.number !== 'number') return null;
  return {
    number: pull.number,
    head: pull.head?.sha ?? '',
    base: pull.base?.sha ?? '',
    baseRef: pull.base?.ref ?? 'main',
  };
}

/** Masks every sensitive value of the plan in the log, before anything could print it. */
function maskSensitive(plan: PlanDocument): void {
  const changes = [
    ...(plan.resource_changes ?? []).map((r) => r.change),
    ...Object.values(plan.output_changes ?? {}),
  ];
  for (const change of changes) for (const value of sensitiveValues(change)) core.setSecret(value);
}

function runUrl(): string {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return `${GITHUB_SERVER_URL || 'https://github.com'}/${GITHUB_REPOSITORY ?? ''}/actions/runs/${GITHUB_RUN_ID ?? ''}`;
}

interface PlannedRun {
  plan: PlanDocument;
  hash: string;
  planFile: string;
  changes: boolean;
  report: string;
  policy: PolicyReport | null;
}

function terraformVarArgs(inputs: Inputs): string[] {
  return [
    ...inputs.variables.map(([name, value]) => `-var=${name}=${value}`),
    ...inputs.targets.map((address) => `-target=${address}`),
  ];
}

async function planAndShow(
  terraform: TerraformRunner,
  inputs: Inputs,
  artifacts: string,
  root: string,
  pull: PlannedPull | null,
): Promise<PlannedRun> {
  const destroy = inputs.command === 'destroy-plan' || inputs.command === 'destroy';
  const planFile = path.join(artifacts, `${inputs.environment}.tfplan`);
  const planned = await terraform(
    [
      'plan',
      '-input=false',
      '-no-color',
      `-lock-timeout=${inputs.lockTimeoutSeconds}s`,
      `-out=${planFile}`,
      '-detailed-exitcode',
      ...(destroy ? ['-destroy'] : []),
      ...terraformVarArgs(inputs),
    ],
    { okExitCodes: [0, 2] },
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
  core.setOutput(
    'destroyed-addresses',
    JSON.stringify(
      (plan.resource_changes ?? [])
        .filter((resource) => actionKind(resource.change.actions) === 'delete')
        .map((resource) => resource.address),
    ),
  );

  let policy: PolicyReport | null = null;
  if (inputs.policy !== 'off' && !destroy) {
    // The JSON holds sensitive values in clear: a private file, removed right after the check.
    const jsonFile = path.join(artifacts, `${inputs.environment}.plan.json`);
    fs.writeFileSync(jsonFile, shown.stdout, { mode: 0o600 });
    try {
      policy = await checkPlan(inputs.checkov, jsonFile, {
        enrichFrom: path.join(root, 'terraform'),
      });
    } finally {
      fs.rmSync(jsonFile, { force: true });
    }
    core.setOutput('policy-failures', String(policy.failed.length));
  }
  // terraform's own rendering hides sensitive values: the text plan for the artifact.
  const text = await terraform(['show', '-no-color', planFile], { silent: true });
  const textFile = path.join(artifacts, `${inputs.environment}-plan.txt`);
  fs.writeFileSync(textFile, text.stdout);
  core.setOutput('plan-text-path', textFile);

  const report = [
    renderPlan({
      environment: inputs.environment,
      command: inputs.command,
      plan,
      hash,
      ...(pull ? { planned: { head: pull.head, base: pull.base } } : {}),
    }),
    ...(policy ? [renderPolicy(policy, inputs.policy === 'enforce')] : []),
    `The full plan is the \`plan-${inputs.environment}\` artifact of [this run](${runUrl()}) (terraform's text plan and this report; sensitive values hidden).`,
  ].join('\n\n');
  const reportFile = path.join(artifacts, `${inputs.environment}-plan.md`);
  fs.writeFileSync(reportFile, `${report}\n`);
  core.setOutput('plan-path', reportFile);
  core.setOutput('planfile-path', planFile);
  core.info(
    `plan hash ${hash}: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy`,
  );
  return { plan, hash, planFile, changes, report, policy };
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
  core.setOutput('empty', String(Object.keys(outputs).length === 0));
  writeSummary(
    `### Terraform outputs for \`${environment}\`\n\n${
      Object.keys(outputs)
        .map((name) => `- \`${name}\`${outputs[name]!.sensitive ? ' (sensitive)' : ''}`)
        .join('\n') || '_none: the state is empty (never applied, or destroyed)_'
    }\n`,
  );
}

/**
 * The reviewed hash the fresh plan must equal, and the pull request it was reviewed on: the
 * `plan-hash` input, else a record of a pull request merged after `reviewed-since` (see
 * reviewedRecords: the bot's own comment, for the merged head commit, matching the check run).
 */
async function reviewedHashFor(
  inputs: Inputs,
  fresh: string,
): Promise<{ hash: string; pullRequest: number | null }> {
  if (inputs.planHash) return { hash: inputs.planHash, pullRequest: inputs.pullRequest };
  if (inputs.command === 'destroy')
    throw new TerraformFailure(
      'no-reviewed-plan',
      `destroy applies only the destroy plan it is given: pass plan-hash (the destroy-plan's hash that was reviewed); nothing was destroyed`,
    );
  const sha = process.env.GITHUB_SHA;
  if (!sha)
    throw new Error(
      'GITHUB_SHA is not set: cannot find the merged pull requests (or pass plan-hash)',
    );
  const found = await reviewedRecords(githubClient(), repoFromEnv(), {
    environment: inputs.environment,
    sha,
    since: inputs.reviewedSince,
  });
  const candidates = found.records.filter((record) => record.terraform);
  const match = candidates.find((record) => record.terraform === fresh);
  if (match) return { hash: fresh, pullRequest: inputs.pullRequest ?? match.pullRequest };
  if (candidates.length > 0) {
    throw new TerraformFailure(
      'plan-changed',
      `the fresh plan for ${inputs.environment} (hash ${fresh}) differs from the reviewed plan (hash ${candidates.map((c) => `${c.terraform} on #${c.pullRequest}`).join(', ')}): nothing was applied; plan and review again (or run the apply workflow's recovery path)`,
    );
  }
  throw new TerraformFailure(
    'no-reviewed-plan',
    `no reviewed plan for ${inputs.environment} between ${inputs.reviewedSince ? inputs.reviewedSince.slice(0, 12) : 'the last deployment'} and ${sha.slice(0, 12)}: ${describeRefusals(inputs.environment, found)}. Nothing was applied.`,
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

  const pull = eventPullRequest();
  const planned = await planAndShow(terraform, inputs, artifacts, root, pull);

  if (inputs.command === 'plan' || inputs.command === 'destroy-plan') {
    writeSummary(planned.report);
    const pullRequest = inputs.pullRequest ?? pull?.number ?? null;
    if (pullRequest) await postComment(inputs.environment, pullRequest, planned.report);
    else core.info('not a pull request: the plan is in the job summary only');
    if (inputs.policy === 'enforce' && planned.policy && planned.policy.failed.length > 0) {
      throw new TerraformFailure(
        'policy-failed',
        `checkov: ${planned.policy.failed.length} failed check(s) on the ${inputs.environment} plan: ${planned.policy.failed.map((f) => `${f.id} (${f.resource})`).join(', ')}`,
      );
    }
    return;
  }

  if (!planned.changes) {
    writeSummary(`${planned.report}\n\nNothing to apply.`);
    return;
  }
  let reviewed: { hash: string; pullRequest: number | null };
  try {
    reviewed = await reviewedHashFor(inputs, planned.hash);
  } catch (error) {
    writeSummary(
      `> [!CAUTION]\n> **Refused to ${inputs.command}:** ${describeError(error)}\n\n${planned.report}`,
    );
    throw error;
  }
  if (reviewed.hash !== planned.hash) {
    writeSummary(
      `> [!CAUTION]\n> **Refused to ${inputs.command}:** the fresh plan differs from the reviewed one (reviewed \`${reviewed.hash}\`, now \`${planned.hash}\`). Review the new plan below in a pull request.\n\n${planned.report}`,
    );
    throw new TerraformFailure(
      'plan-changed',
      `the fresh plan for ${inputs.environment} (hash ${planned.hash}) differs from the reviewed plan (hash ${reviewed.hash}): nothing was applied; plan and review again`,
    );
  }
  const applied = await terraform([
    'apply',
    '-input=false',
    '-no-color',
    `-lock-timeout=${inputs.lockTimeoutSeconds}s`,
    planned.planFile,
  ]);
  const outcome =
    /Apply complete!.*|Destroy complete!.*/.exec(applied.stdout)?.[0] ?? 'Apply finished.';
  const appliedReport = `**${inputs.command === 'destroy' ? 'Destroyed' : 'Applied'}** (${outcome}) — plan hash \`${planned.hash}\` matched the reviewed plan.\n\n${planned.report}`;
  writeSummary(appliedReport);
  core.setOutput('applied', 'true');
  if (reviewed.pullRequest) {
    // The apply is done: failing to tell the pull request about it must not fail the deploy.
    try {
      await postComment(inputs.environment, reviewed.pullRequest, appliedReport);
    } catch (error) {
      core.warning(
        `applied, but could not update the ${inputs.environment} comment on #${reviewed.pullRequest}: ${describeError(error)}`,
      );
    }
  }
}

/** On a pull request, a failed plan replaces the stale plan in the comment so nobody reviews an old one. */
async function reportFailedPlan(inputs: Inputs, error: unknown): Promise<void> {
  if (inputs.command !== 'plan' && inputs.command !== 'destroy-plan') return;
  if (error instanceof TerraformFailure && error.reason === 'policy-failed') return; // the plan is in the comment
  let pullRequest: number | null;
  try {
    pullRequest = inputs.pullRequest ?? eventPullRequest()?.number ?? null;
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
      `could not report the failed plan on #${pullRequest}: ${describeError(postError)}`,
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
