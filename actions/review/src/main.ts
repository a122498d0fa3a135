import { createHash } from 'node:crypto';
import fs from 'node:fs';
import * as core from '@actions/core';
import {
  describeRefusals,
  githubClient,
  isAuthoredBy,
  ACTIONS_BOT_LOGIN,
  parseSections,
  readEvent,
  readRecord,
  renderReviewSection,
  repoFromEnv,
  reviewedRecords,
  REVIEW_SECTION,
  upsertCommentSection,
  writeReviewCheck,
  writeSummary,
  type ReviewRecord,
} from '@movies/actions-lib';

export const COMMANDS = ['record', 'verify', 'mark-outdated'] as const;
export type ReviewCommand = (typeof COMMANDS)[number];

/** A failure the workflow can branch on (`failure-reason`). */
export class ReviewFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReviewFailure';
  }
}

const HASH = /^[0-9a-f]{64}$/;

function hashInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  if (value === '') return undefined;
  if (!HASH.test(value)) throw new Error(`input ${name} must be a sha256 (64 hex), got "${value}"`);
  return value;
}

/** sha256 of the kOps manifest file: the rendered cluster spec the reviewer saw, byte for byte. */
export function manifestHash(file: string): string | undefined {
  if (file === '') return undefined;
  if (!fs.existsSync(file)) throw new Error(`input kops-manifest: ${file} does not exist`);
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function runUrl(): string {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return `${GITHUB_SERVER_URL || 'https://github.com'}/${GITHUB_REPOSITORY ?? ''}/actions/runs/${GITHUB_RUN_ID ?? ''}`;
}

function requiredEnvironment(): string {
  const environment = core.getInput('environment');
  if (!/^[a-z][a-z0-9-]*$/.test(environment))
    throw new Error(`input environment must name an environment folder (got "${environment}")`);
  return environment;
}

/** `record`: what this pull request's plan showed for the environment, at its head commit. */
async function record(): Promise<void> {
  const environment = requiredEnvironment();
  const event = readEvent();
  const pull = event.payload.pull_request as
    { number?: number; head?: { sha?: string }; base?: { sha?: string; ref?: string } } | undefined;
  if (!event.name.startsWith('pull_request') || typeof pull?.number !== 'number' || !pull.head?.sha)
    throw new Error(`command record runs on pull_request events (got a "${event.name}" event)`);
  const kops = manifestHash(core.getInput('kops-manifest'));
  const entry: ReviewRecord = {
    environment,
    head: pull.head.sha,
    base: pull.base?.sha ?? '',
    ...(hashInput('terraform-hash') ? { terraform: hashInput('terraform-hash') } : {}),
    ...(kops ? { kops } : {}),
    ...(hashInput('helm-hash') ? { helm: hashInput('helm-hash') } : {}),
  };
  const planned = (core.getInput('outcome') || 'success') === 'success';
  const octokit = githubClient();
  const repo = repoFromEnv();
  const section = renderReviewSection(entry, { baseRef: pull.base?.ref ?? 'main' });
  await upsertCommentSection({
    octokit,
    ...repo,
    issueNumber: pull.number,
    environment,
    section: REVIEW_SECTION,
    body: planned
      ? section
      : `${section}\n\n> [!CAUTION]\n> A plan step failed: nothing can be applied from this review.`,
  });
  await writeReviewCheck(octokit, repo, entry, {
    conclusion: planned ? 'success' : 'failure',
    summary: `Planned \`${entry.head}\` on \`${entry.base}\`: terraform \`${entry.terraform ?? '-'}\`, kOps \`${entry.kops ?? '-'}\`, Helm \`${entry.helm ?? '-'}\`.`,
    detailsUrl: runUrl(),
  });
  core.setOutput('record', JSON.stringify(entry));
  if (kops) core.setOutput('kops-hash', kops);
  writeSummary(`### Review record for \`${environment}\`\n\n${section}\n`);
}

/** `verify`: the kOps render about to be applied must be one a merged pull request showed. */
async function verify(): Promise<void> {
  const environment = requiredEnvironment();
  const hash = manifestHash(core.getInput('kops-manifest'));
  if (!hash) throw new Error('input kops-manifest is required for verify');
  core.setOutput('kops-hash', hash);
  const sha = process.env.GITHUB_SHA;
  if (!sha)
    throw new Error('GITHUB_SHA is not set: verify looks up the pull requests merged up to it');
  const since = core.getInput('reviewed-since').trim();
  if (since && !/^[0-9a-f]{40}$/.test(since))
    throw new Error(`input reviewed-since must be a 40-hex commit sha, got "${since}"`);
  const found = await reviewedRecords(githubClient(), repoFromEnv(), { environment, sha, since });
  const candidates = found.records.filter((entry) => entry.kops);
  const match = candidates.find((entry) => entry.kops === hash);
  if (match) {
    writeSummary(
      `The kOps spec of \`${environment}\` is the one reviewed on #${match.pullRequest}.\n`,
    );
    return;
  }
  if (candidates.length > 0)
    throw new ReviewFailure(
      'kops-render-changed',
      `the ${environment} kOps spec (hash ${hash}) is not what was reviewed (${candidates.map((c) => `${c.kops} on #${c.pullRequest}`).join(', ')}): nothing was applied. A spec rendered from Terraform outputs that changed in this deploy needs the apply workflow's recovery path.`,
    );
  throw new ReviewFailure(
    'no-reviewed-render',
    `no reviewed kOps spec for ${environment} up to ${sha.slice(0, 12)}: ${describeRefusals(environment, found)}. Nothing was applied.`,
  );
}

const ENVIRONMENT_MARKER = /<!-- movies-gitops:env=([a-z][a-z0-9-]*) -->/;

/** `mark-outdated`: main moved, so every open pull request's plan made on an older main says so. */
async function markOutdated(): Promise<void> {
  const event = readEvent();
  const head = (event.payload.after as string | undefined) ?? process.env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}$/.test(head))
    throw new Error(
      'mark-outdated needs the new head of the base branch (a push event, or GITHUB_SHA)',
    );
  const base = core.getInput('base') || 'main';
  const octokit = githubClient();
  const repo = repoFromEnv();
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    base,
    state: 'open',
    per_page: 100,
  });
  const outdated: number[] = [];
  for (const pull of pulls) {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: pull.number,
      per_page: 100,
    });
    for (const comment of comments) {
      if (!isAuthoredBy(comment, ACTIONS_BOT_LOGIN)) continue;
      const environment = ENVIRONMENT_MARKER.exec(comment.body ?? '')?.[1];
      if (!environment) continue;
      const section = parseSections(comment.body ?? '').get(REVIEW_SECTION) ?? '';
      const entry = readRecord(section, environment);
      if (!entry || entry.base === head) continue;
      const marked = renderReviewSection(entry, { outdatedBy: head, baseRef: base });
      if (section.trim() === marked.trim()) continue;
      await upsertCommentSection({
        octokit,
        ...repo,
        issueNumber: pull.number,
        environment,
        section: REVIEW_SECTION,
        body: marked,
      });
      if (!outdated.includes(pull.number)) outdated.push(pull.number);
    }
  }
  core.setOutput('outdated', JSON.stringify(outdated));
  writeSummary(
    outdated.length > 0
      ? `### Outdated plans\n\n\`${base}\` moved to \`${head.slice(0, 12)}\`: marked ${outdated.map((n) => `#${n}`).join(', ')}.\n`
      : `### Outdated plans\n\nNo open pull request has a plan older than \`${head.slice(0, 12)}\`.\n`,
  );
}

export async function run(): Promise<void> {
  const command = core.getInput('command', { required: true });
  try {
    if (command === 'record') return await record();
    if (command === 'verify') return await verify();
    if (command === 'mark-outdated') return await markOutdated();
  } catch (error) {
    if (error instanceof ReviewFailure) core.setOutput('failure-reason', error.reason);
    throw error;
  }
  throw new Error(`input command must be one of ${COMMANDS.join(', ')} (got "${command}")`);
}
