import fs from 'node:fs';
import * as core from '@actions/core';
import { githubClient, repoFromEnv, writeSummary } from '@movies/actions-lib';
import {
  driftMarker,
  driftSummary,
  isDrifted,
  issueBody,
  issueTitle,
  type PlanReport,
} from './report';

export type DriftAction = 'opened' | 'updated' | 'closed' | 'none';

function readPlan(): PlanReport {
  const outcome = core.getInput('outcome', { required: true });
  const changes = core.getInput('changes');
  if (changes !== '' && changes !== 'true' && changes !== 'false') {
    throw new Error(
      `input changes must be "true", "false" or empty, got ${JSON.stringify(changes)}`,
    );
  }
  const planPath = core.getInput('plan-path');
  let planMarkdown = '';
  if (planPath !== '') {
    if (fs.existsSync(planPath)) planMarkdown = fs.readFileSync(planPath, 'utf8');
    else core.warning(`plan-path ${planPath} does not exist: the issue will have no plan`);
  }
  return {
    outcome,
    changes: changes === 'true',
    toAdd: core.getInput('to-add'),
    toChange: core.getInput('to-change'),
    toDestroy: core.getInput('to-destroy'),
    failureReason: core.getInput('failure-reason'),
    planMarkdown,
  };
}

/**
 * Keeps one open issue per drifted environment (label + hidden marker): opens it, updates it
 * while the drift lasts, closes it with a comment at the first clean plan.
 */
export async function run(now: () => Date = () => new Date()): Promise<DriftAction> {
  const environment = core.getInput('environment', { required: true });
  const label = core.getInput('label') || 'drift';
  const plan = readPlan();
  const octokit = githubClient();
  const repo = repoFromEnv();
  const runUrl = `${process.env.GITHUB_SERVER_URL || 'https://github.com'}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`;
  const marker = driftMarker(environment);
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    state: 'open',
    labels: label,
    per_page: 100,
  });
  const existing = open.find((issue) => !issue.pull_request && (issue.body ?? '').includes(marker));

  let action: DriftAction = 'none';
  let number = existing?.number;
  if (!isDrifted(plan)) {
    if (existing) {
      await octokit.rest.issues.createComment({
        ...repo,
        issue_number: existing.number,
        body: `Clean plan at ${now().toISOString()}: \`${environment}\` matches the repository again. [Run](${runUrl})`,
      });
      await octokit.rest.issues.update({
        ...repo,
        issue_number: existing.number,
        state: 'closed',
        state_reason: 'completed',
      });
      action = 'closed';
    }
  } else {
    const body = issueBody(environment, plan, runUrl, now());
    if (existing) {
      await octokit.rest.issues.update({
        ...repo,
        issue_number: existing.number,
        title: issueTitle(environment),
        body,
      });
      action = 'updated';
    } else {
      const { data } = await octokit.rest.issues.create({
        ...repo,
        title: issueTitle(environment),
        body,
        labels: [label],
      });
      number = data.number;
      action = 'opened';
    }
  }
  core.setOutput('action', action);
  core.setOutput('issue-number', number === undefined ? '' : String(number));
  const headline = isDrifted(plan) ? `drift: ${driftSummary(plan)}` : 'no drift';
  writeSummary(
    `### Drift in \`${environment}\`: ${headline}\n\nIssue: ${number === undefined ? 'none' : `#${number} (${action})`}`,
  );
  core.info(`${environment}: ${headline} (issue ${action})`);
  return action;
}
