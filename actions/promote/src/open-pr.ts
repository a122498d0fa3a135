import * as core from '@actions/core';
import {
  loadEnvironment,
  PROMOTION_ORDER,
  writeSummary,
  type GitHubClient,
  type RepoRef,
} from '@movies/actions-lib';
import { latestHealthyDeployment, type HealthyDeployment } from './deployments';
import { LABEL_PREFIX, releaseFile } from './gate';
import { imagesTable, releaseEntries, renderRelease, type ReleaseImages } from './release';
import { commitFile } from './release-commit';

export interface OpenPrOptions {
  octokit: GitHubClient;
  repo: RepoRef;
  workspace: string;
  target: string;
  base: string;
  runUrl: string;
}

export interface OpenedPromotion {
  number: number;
  url: string;
  branch: string;
  created: boolean;
}

function promotionBody(
  source: string,
  target: string,
  deployment: HealthyDeployment,
  runUrl: string,
): string {
  return [
    `Promotes to **${target}** the images that **${source}** runs healthy.`,
    '',
    `Source deployment: ${deployment.id} of commit \`${deployment.sha}\` (ref \`${deployment.ref}\`, ${deployment.createdAt})` +
      (deployment.statusUrl ? ` — [success status](${deployment.statusUrl})` : ''),
    deployment.environmentUrl ? `Source URL: ${deployment.environmentUrl}` : '',
    '',
    imagesTable(deployment.images),
    '',
    `The \`promotion-gate\` check verifies that this pull request changes only \`${releaseFile(target)}\`, that every digest is what ${source} runs with a successful deployment, and that each image is in ECR. Merging it applies ${target} (after the environment's required reviewers approve).`,
    '',
    `Opened by [the promote workflow](${runUrl}).`,
  ]
    .filter((line, index, all) => line !== '' || all[index - 1] !== '')
    .join('\n');
}

function sameImages(a: ReleaseImages, b: ReleaseImages): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ReleaseImages>;
  return [...keys].every((key) => a[key]?.digest === b[key]?.digest && a[key]?.tag === b[key]?.tag);
}

/**
 * `command: open-pr`: writes the source environment's healthy images into the target's
 * release.yaml on a branch `promote/<target>/<deployment id>` and opens (or updates) the pull
 * request with the `promote:<target>` label. Returns null when the target already runs them.
 */
export async function runOpenPr(options: OpenPrOptions): Promise<OpenedPromotion | null> {
  const { octokit, repo, target, base } = options;
  const promotable = PROMOTION_ORDER.slice(1) as readonly string[];
  if (!promotable.includes(target))
    throw new Error(
      `input target must be one of ${promotable.join(', ')} (got ${JSON.stringify(target)})`,
    );
  const targetEnv = loadEnvironment(options.workspace, target);
  const source = targetEnv.env.promotion.from;
  if (!source)
    throw new Error(
      `environments/${target}/env.yaml has no promotion.from: nothing can be promoted to ${target}`,
    );
  const deployment = await latestHealthyDeployment(octokit, repo, source);
  if (!deployment)
    throw new Error(
      `${source} has no deployment with a success status: there is nothing healthy to promote to ${target}`,
    );
  const missing = releaseEntries(targetEnv.release)
    .map(([service]) => service)
    .filter((service) => !deployment.images[service]);
  if (missing.length > 0) {
    throw new Error(
      `${source} deployment ${deployment.id} runs no image for ${missing.join(', ')}, which ${target} runs: promote after ${source} deploys them`,
    );
  }
  const current: ReleaseImages = {};
  for (const [service, image] of releaseEntries(targetEnv.release))
    if (image.digest) current[service] = { tag: image.tag, digest: image.digest };
  if (sameImages(current, deployment.images)) {
    core.notice(
      `${target} already runs what ${source} deployment ${deployment.id} runs: no promotion pull request needed`,
    );
    writeSummary(
      `### Nothing to promote\n\n${target} already runs the images of ${source} deployment ${deployment.id}.\n\n${imagesTable(deployment.images)}`,
    );
    return null;
  }

  const branch = `promote/${target}/${deployment.id}`;
  const { data: baseRef } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${base}` });
  try {
    await octokit.rest.git.createRef({
      ...repo,
      ref: `refs/heads/${branch}`,
      sha: baseRef.object.sha,
    });
  } catch (error) {
    if ((error as { status?: number }).status !== 422) throw error; // the branch exists: reuse it
  }
  const header = `Promoted from ${source} deployment ${deployment.id} (commit ${deployment.sha}) by the promote workflow.`;
  await commitFile({
    octokit,
    repo,
    branch,
    path: releaseFile(target),
    content: renderRelease(deployment.images, header),
    message: `Promote ${source} deployment ${deployment.id} to ${target}`,
  });
  const title = `Promote ${source} → ${target} (deployment ${deployment.id}, ${deployment.sha.slice(0, 7)})`;
  const body = promotionBody(source, target, deployment, options.runUrl);
  const { data: open } = await octokit.rest.pulls.list({
    ...repo,
    head: `${repo.owner}:${branch}`,
    base,
    state: 'open',
  });
  let pr: { number: number; html_url: string };
  let created = false;
  if (open[0]) {
    pr = (await octokit.rest.pulls.update({ ...repo, pull_number: open[0].number, title, body }))
      .data;
  } else {
    pr = (await octokit.rest.pulls.create({ ...repo, head: branch, base, title, body })).data;
    created = true;
  }
  await octokit.rest.issues.addLabels({
    ...repo,
    issue_number: pr.number,
    labels: [`${LABEL_PREFIX}${target}`],
  });
  writeSummary(
    `### Promotion pull request #${pr.number}\n\n${pr.html_url}\n\n${imagesTable(deployment.images)}`,
  );
  core.setOutput('pull-request-number', String(pr.number));
  core.setOutput('pull-request-url', pr.html_url);
  return { number: pr.number, url: pr.html_url, branch, created };
}
