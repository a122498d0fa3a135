import * as core from '@actions/core';
import {
  githubClient,
  loadEnvironments,
  readEvent,
  repoFromEnv,
  workspaceRoot,
  writeSummary,
} from '@movies/actions-lib';
import { affectedEnvironments, type AffectedEnvironment } from './affected';
import { changedFilesOf, parseChangedFilesInput } from './changed-files';

const MODES = ['affected', 'all', 'one'] as const;
type Mode = (typeof MODES)[number];

function readMode(): Mode {
  const mode = core.getInput('mode') || 'affected';
  if (!(MODES as readonly string[]).includes(mode))
    throw new Error(`input mode must be one of ${MODES.join(', ')} (got "${mode}")`);
  return mode as Mode;
}

async function select(
  mode: Mode,
  names: string[],
): Promise<{ affected: AffectedEnvironment[]; basis: string }> {
  if (mode === 'all')
    return {
      affected: names.map((name) => ({ name, because: 'mode: all' })),
      basis: 'every environment (mode: all)',
    };
  if (mode === 'one') {
    const environment = core.getInput('environment');
    if (!environment) throw new Error('input environment is required when mode is "one"');
    if (!names.includes(environment))
      throw new Error(`input environment "${environment}" is not one of ${names.join(', ')}`);
    return {
      affected: [{ name: environment, because: 'mode: one' }],
      basis: `environment ${environment} (mode: one)`,
    };
  }
  const input = core.getInput('changed-files');
  const changed = input
    ? { kind: 'files' as const, files: parseChangedFilesInput(input) }
    : await changedFilesOf(() => githubClient(), repoFromEnv(), readEvent());
  if (changed.kind === 'unknown') {
    return {
      affected: names.map((name) => ({ name, because: changed.reason })),
      basis: `every environment: ${changed.reason}`,
    };
  }
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
    return `| \`${name}\` | ${hit ? 'yes' : 'no'} | ${hit ? `\`${hit.because}\`` : ''} |`;
  });
  return [
    `### Affected environments`,
    '',
    `Selected from ${basis}.`,
    '',
    '| environment | affected | because of |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export async function run(): Promise<void> {
  const mode = readMode();
  const environments = loadEnvironments(workspaceRoot());
  const names = environments.map((environment) => environment.name);
  core.info(`validated environments: ${names.join(', ')}`);
  const { affected, basis } = await select(mode, names);
  const list = affected.map((entry) => entry.name);
  core.info(`affected: ${list.length > 0 ? list.join(', ') : 'none'} (${basis})`);
  core.setOutput('matrix', JSON.stringify({ environment: list }));
  core.setOutput('environments', JSON.stringify(list));
  core.setOutput('any', list.length > 0 ? 'true' : 'false');
  writeSummary(summary(affected, basis, names));
}
