import * as core from '@actions/core';
import {
  loadEnvironment,
  readEvent,
  upsertCommentSection,
  writeSummary,
  type GitHubClient,
  type LoadedEnvironment,
  type RepoRef,
} from '@movies/actions-lib';
import { latestHealthyDeployment } from './deployments';
import { evaluateGate, type GateResult } from './gate';
import type { ImageRegistry } from './registry';
import { overlayPullRequestReleases } from './pr-overlay';
import { imagesTable } from './release';

/** The commit status the gate sets on the head commit (besides the job's own check). */
export const STATUS_CONTEXT = 'promotion-gate';

export interface GateCommandOptions {
  octokit: GitHubClient;
  repo: RepoRef;
  workspace: string;
  registryFor(target: LoadedEnvironment): ImageRegistry;
  runUrl: string;
}

interface PullRequestPayload {
  number: number;
  head: { sha: string; repo: { full_name: string } | null };
  base: { repo: { full_name: string } };
  labels: Array<{ name: string }>;
}

function pullRequestOf(payload: Record<string, unknown>, eventName: string): PullRequestPayload {
  const pr = payload.pull_request as PullRequestPayload | undefined;
  if (!pr || typeof pr.number !== 'number' || !pr.head?.sha) {
    throw new Error(
      `command "gate" runs on pull_request events (labeled, unlabeled, synchronize, opened, reopened); got a "${eventName}" event without a pull_request`,
    );
  }
  return pr;
}

export function describeResult(result: GateResult): string {
  if (result.outcome === 'not-a-promotion')
    return 'not a promotion: no promote:<env> label and no promoted release.yaml changed';
  if (result.outcome === 'passed') return `promotion ${result.source} → ${result.target} verified`;
  return `promotion${result.target ? ` to ${result.target}` : ''} blocked: ${result.reasons.length} problem${result.reasons.length === 1 ? '' : 's'}`;
}

export function renderGateMarkdown(result: GateResult): string {
  const icon = result.outcome === 'failed' ? '❌' : '✅';
  const lines = [`### ${icon} Promotion gate: ${describeResult(result)}`];
  if (result.reasons.length > 0) lines.push('', ...result.reasons.map((reason) => `- ${reason}`));
  if (result.deployment) {
    const d = result.deployment;
    lines.push(
      '',
      `Source: \`${result.source}\` deployment ${d.id} of \`${d.sha.slice(0, 12)}\` (${d.createdAt})${d.statusUrl ? ` — [status](${d.statusUrl})` : ''}`,
    );
    if (d.newerUnhealthy.length > 0) {
      lines.push(
        `Newer deployments of ${result.source} that are not healthy: ${d.newerUnhealthy.map((n) => `${n.id} (${n.state})`).join(', ')}`,
      );
    }
  }
  if (result.images && Object.keys(result.images).length > 0)
    lines.push('', imagesTable(result.images));
  return lines.join('\n');
}

/**
 * `command: gate`: evaluates the pull request of the triggering event (the workspace is the base
 * commit's checkout; the pull request's release files come through the API), sets the
 * `promotion-gate` commit status on its head commit, reports in the job summary (and in the
 * target environment's PR comment) and fails the step with every reason when blocked.
 */
export async function runGate(options: GateCommandOptions): Promise<GateResult> {
  const event = readEvent();
  const pr = pullRequestOf(event.payload, event.name);
  const { octokit, repo } = options;
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    ...repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const changedFiles = files.flatMap((file) =>
    file.previous_filename ? [file.filename, file.previous_filename] : [file.filename],
  );
  const environments = await overlayPullRequestReleases({
    octokit,
    repo,
    baseWorkspace: options.workspace,
    headSha: pr.head.sha,
    changedFiles,
  });
  // A fork's workflow token is read-only: the job's own result is the check there.
  const fromFork = pr.head.repo?.full_name !== pr.base.repo.full_name;
  let result: GateResult;
  try {
    result = await evaluateGate({
      labels: (pr.labels ?? []).map((label) => label.name),
      changedFiles,
      fromFork,
      loadEnvironment: (name) => loadEnvironment(environments.root, name),
      latestHealthyDeployment: (environment) => latestHealthyDeployment(octokit, repo, environment),
      registryFor: options.registryFor,
    });
  } finally {
    environments.remove();
  }

  const description = describeResult(result);
  if (!fromFork) {
    await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha: pr.head.sha,
      context: STATUS_CONTEXT,
      state: result.outcome === 'failed' ? 'failure' : 'success',
      description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
      target_url: options.runUrl,
    });
  }
  const markdown = renderGateMarkdown(result);
  writeSummary(markdown);
  if (!fromFork && result.target && result.outcome !== 'not-a-promotion') {
    await upsertCommentSection({
      octokit,
      ...repo,
      issueNumber: pr.number,
      environment: result.target,
      section: 'promotion',
      body: markdown,
    });
  }
  core.setOutput('result', result.outcome);
  core.setOutput('target', result.target ?? '');
  core.setOutput('source', result.source ?? '');
  core.setOutput('reasons', JSON.stringify(result.reasons));
  if (result.outcome === 'failed') {
    throw new Error(
      `${description}:\n${result.reasons.map((reason) => `  - ${reason}`).join('\n')}`,
    );
  }
  core.info(description);
  return result;
}
