import * as core from '@actions/core';
import {
  githubClient,
  lastSuccessfulDeployment,
  loadEnvironments,
  readEvent,
  repoFromEnv,
  workspaceRoot,
  writeSummary,
} from '@movies/actions-lib';
import { affectedEnvironments, ALL_KINDS, type AffectedEnvironment } from './affected';
import { changedFilesOf, compareFiles, parseChangedFilesInput } from './changed-files';

export const MODES = ['affected', 'all', 'one', 'deploy'] as const;
export type Mode = (typeof MODES)[number];

function readMode(): Mode {
  const mode = core.getInput('mode') || 'affected';
  if (!(MODES as readonly string[]).includes(mode))
    throw new Error(`input mode must be one of ${MODES.join(', ')} (got "${mode}")`);
  return mode as Mode;
}

function oneEnvironment(names: string[]): string {
  const environment = core.getInput('environment');
  if (!environment) throw new Error('input environment is required when mode is "one" or "deploy"');
  if (!names.includes(environment))
    throw new Error(`input environment "${environment}" is not one of ${names.join(', ')}`);
  return environment;
}

const everything = (names: string[], because: string): AffectedEnvironment[] =>
  names.map((name) => ({ name, because, kinds: [...ALL_KINDS] }));

interface Selection {
  affected: AffectedEnvironment[];
  basis: string;
  /** deploy mode: the commit the environment was last deployed from. */
  since?: string;
}

/**
 * deploy mode: what the environment needs to reach the desired state of this commit, from the
 * changes since the commit it was last deployed from (not just the triggering push, so a run
 * that replaces a cancelled pending one still applies that one's changes).
 */
async function sinceLastDeployment(names: string[]): Promise<Selection> {
  const environment = oneEnvironment(names);
  const sha = process.env.GITHUB_SHA;
  if (!sha)
    throw new Error('GITHUB_SHA is not set: deploy mode compares it with the last deployment');
  const octokit = githubClient();
  const repo = repoFromEnv();
  const last = await lastSuccessfulDeployment(octokit, repo, environment);
  if (!last)
    return {
      affected: everything([environment], 'no successful deployment yet'),
      basis: `${environment} has no successful deployment yet: everything is applied`,
    };
  if (last.sha === sha)
    return {
      affected: [],
      basis: `${environment} was last deployed from this commit (deployment ${last.id})`,
      since: last.sha,
    };
  const changed = await compareFiles(octokit, repo, last.sha, sha);
  const basis = `changes since ${environment}'s last successful deployment ${last.id} (commit ${last.sha.slice(0, 12)})`;
  if (changed.kind === 'unknown')
    return {
      affected: everything([environment], changed.reason),
      basis: `${basis}: ${changed.reason}`,
      since: last.sha,
    };
  core.info(
    `${changed.files.length} changed file(s) since ${last.sha}:\n${changed.files.map((f) => `  ${f}`).join('\n')}`,
  );
  return {
    affected: affectedEnvironments(changed.files, [environment]).filter((e) => e.kinds.length > 0),
    basis: `${changed.files.length} file(s) of the ${basis}`,
    since: last.sha,
  };
}

async function select(mode: Mode, names: string[]): Promise<Selection> {
  if (mode === 'all')
    return { affected: everything(names, 'mode: all'), basis: 'every environment (mode: all)' };
  if (mode === 'one') {
    const environment = oneEnvironment(names);
    return {
      affected: everything([environment], 'mode: one'),
      basis: `environment ${environment} (mode: one)`,
    };
  }
  if (mode === 'deploy') return sinceLastDeployment(names);
  const input = core.getInput('changed-files');
  const changed = input
    ? { kind: 'files' as const, files: parseChangedFilesInput(input) }
    : await changedFilesOf(() => githubClient(), repoFromEnv(), readEvent());
  if (changed.kind === 'unknown')
    return {
      affected: everything(names, changed.reason),
      basis: `every environment: ${changed.reason}`,
    };
  core.info(
    `${changed.files.length} changed file(s):\n${changed.files.map((f) => `  ${f}`).join('\n')}`,
  );
  return {
    affected: affectedEnvironments(changed.files, names),
    basis: `${changed.files.length} changed file(s)`,
  };
}

function summary(affected: AffectedEnvironment[], basis: string, names: string[]): string {
  const rows = names.map((name) => {
    const hit = affected.find((entry) => entry.name === name);
    return `| \`${name}\` | ${hit ? 'yes' : 'no'} | ${hit ? hit.kinds.join(', ') || 'plan only' : ''} | ${hit ? `\`${hit.because}\`` : ''} |`;
  });
  return [
    `### Affected environments`,
    '',
    `Selected from ${basis}.`,
    '',
    '| environment | affected | needs | because of |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export async function run(): Promise<void> {
  const mode = readMode();
  const environments = loadEnvironments(workspaceRoot());
  const names = environments.map((environment) => environment.name);
  core.info(`validated environments: ${names.join(', ')}`);
  const { affected, basis, since } = await select(mode, names);
  const list = affected.map((entry) => entry.name);
  core.info(`affected: ${list.length > 0 ? list.join(', ') : 'none'} (${basis})`);
  core.setOutput('matrix', JSON.stringify({ environment: list }));
  core.setOutput('environments', JSON.stringify(list));
  core.setOutput('any', list.length > 0 ? 'true' : 'false');
  for (const kind of ALL_KINDS)
    core.setOutput(kind, String(affected.some((entry) => entry.kinds.includes(kind))));
  if (mode === 'deploy') core.setOutput('since', since ?? '');
  writeSummary(
    summary(affected, basis, mode === 'deploy' ? [core.getInput('environment')] : names),
  );
}
