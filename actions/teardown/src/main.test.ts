import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lastSuccessfulDeployment } from '@movies/actions-lib';
import {
  distDifference,
  readRecordedCalls,
  recordDeployment,
  runBundledAction,
  startFakeGitHub,
} from '@movies/actions-lib/testing';
import { GITHUB_CALLS } from './github-calls';
import { repoRoot } from '@movies/testing';

const actionDir = path.resolve(__dirname, '..');
jest.setTimeout(60_000);

describe('actions/teardown as the runner runs it', () => {
  let temp: string;
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'teardown-'));
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  /** A kops stand-in: `get cluster` answers per `answer`, recording its argv. */
  function kops(answer: 'exists' | 'gone' | 'broken'): string {
    const file = path.join(temp, 'kops');
    const log = path.join(temp, 'kops.jsonl');
    fs.writeFileSync(
      file,
      `#!/usr/bin/env node
require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2) }) + '\\n');
const answer = ${JSON.stringify(answer)};
if (answer === 'exists') { process.stdout.write('NAME\\tCLOUD\\tZONES\\ndev.movies.k8s.local\\taws\\teu-west-1a\\n'); process.exit(0); }
if (answer === 'gone') { process.stderr.write('Error: cluster not found "dev.movies.k8s.local"\\n'); process.exit(1); }
process.stderr.write('Error: error reading cluster configuration: AccessDenied: Access Denied\\n'); process.exit(1);
`,
      { mode: 0o755 },
    );
    return file;
  }

  const run = (outputs: Record<string, unknown>, kopsPath: string) => {
    const file = path.join(temp, 'outputs.json');
    fs.writeFileSync(file, JSON.stringify(outputs));
    return runBundledAction({
      actionDir,
      workspace: repoRoot,
      inputs: { environment: 'dev', 'terraform-outputs': file, 'kops-path': kopsPath },
    });
  };
  const applied = {
    cluster_name: { value: 'dev.movies.k8s.local' },
    kops_state_store: { value: 's3://movies-kops-state-111111111111-dev' },
  };
  const calls = () => readRecordedCalls<{ argv: string[] }>(path.join(temp, 'kops.jsonl'));

  it('reports an applied environment with its cluster', async () => {
    const result = await run(applied, kops('exists'));
    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({
      'state-empty': 'false',
      'cluster-exists': 'true',
      'cluster-name': 'dev.movies.k8s.local',
      'state-store': 's3://movies-kops-state-111111111111-dev',
    });
    expect(calls().map((c) => c.argv)).toEqual([
      [
        'get',
        'cluster',
        '--name',
        'dev.movies.k8s.local',
        '--state',
        's3://movies-kops-state-111111111111-dev',
      ],
    ]);
  });

  it('a cluster kOps already deleted is gone, not an error (a resumed teardown)', async () => {
    const result = await run(applied, kops('gone'));
    expect(result.errors).toEqual([]);
    expect(result.outputs['cluster-exists']).toBe('false');
    expect(result.outputs['state-empty']).toBe('false');
  });

  it('an empty Terraform state: nothing left, and kops is not asked', async () => {
    const result = await run({}, kops('exists'));
    expect(result.outputs).toMatchObject({ 'state-empty': 'true', 'cluster-exists': 'false' });
    expect(calls()).toEqual([]);
    expect(result.summary).toContain('empty (nothing left to destroy)');
  });

  it('fails on a kops error that does not say the cluster is gone', async () => {
    const result = await run(applied, kops('broken'));
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/AccessDenied/);
  });

  it('record marks the teardown: the next deploy finds no successful deployment to build on', async () => {
    const github = await startFakeGitHub();
    try {
      const octokit = github.client(
        github.tokenFor(['repos.listDeployments', 'repos.listDeploymentStatuses']),
      );
      const repo = { owner: 'movies-org', repo: 'movies-gitops' };
      const sha = github.repository(repo.owner, repo.repo).branches.get('main')!;
      const deployed = await recordDeployment(github, { ...repo, environment: 'dev', sha });
      expect((await lastSuccessfulDeployment(octokit, repo, 'dev'))?.id).toBe(deployed);
      const result = await runBundledAction({
        actionDir,
        workspace: repoRoot,
        apiUrl: github.url,
        inputs: {
          command: 'record',
          environment: 'dev',
          'github-token': github.tokenFor(GITHUB_CALLS.record),
        },
        env: { GITHUB_SHA: sha },
      });
      expect(result.errors).toEqual([]);
      expect(await lastSuccessfulDeployment(octokit, repo, 'dev')).toBeNull();
    } finally {
      await github.stop();
    }
  });

  it('the committed dist/index.js is a fresh bundle of src/', () => {
    expect(distDifference(actionDir)).toBeNull();
  });
});
