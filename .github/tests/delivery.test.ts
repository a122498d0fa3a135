// The delivery rules of issue 14 checked on the workflows as GitHub runs them: the fake GitHub's
// concurrency groups and branch protection, the real environments action, and the workflows'
// own expressions evaluated (./expressions.ts).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  recordDeployment,
  runBundledAction,
  startFakeGitHub,
  type FakeGitHub,
} from '@movies/actions-lib/testing';
import { repoRoot } from '@movies/testing';
import { parse } from 'yaml';
import { readSettings } from '../../scripts/github/configure-repository';
import { condition, interpolate, type Context, type Value } from './expressions';
import { readYamlFile, workflowFiles, type WorkflowFile, type Yaml } from './workflow-model';

const execFileAsync = promisify(execFile);
jest.setTimeout(120_000);

const workflows = workflowFiles(repoRoot);
const OWNER = 'movies-org';
const REPO = 'movies-gitops';
const triggers = (wf: WorkflowFile): string[] => {
  const on = wf.doc.on;
  return typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
};
const DEPLOY_WORKFLOW = './.github/workflows/deploy-environment.yml';

/** Jobs that run for events on main: push, dispatch, schedule, and reusable workflows they call. */
function mainJobs(): Array<{ wf: WorkflowFile; id: string; job: Yaml; via: string }> {
  const found: Array<{ wf: WorkflowFile; id: string; job: Yaml; via: string }> = [];
  for (const wf of workflows) {
    const events = triggers(wf).filter(
      (t) => !t.startsWith('pull_request') && t !== 'workflow_call',
    );
    if (events.length === 0) continue;
    for (const [id, job] of Object.entries(wf.doc.jobs as Record<string, Yaml>)) {
      found.push({ wf, id, job, via: `${wf.file} (${events.join(', ')})` });
      if (typeof job.uses === 'string' && job.uses.startsWith('./')) {
        const called = readYamlFile(repoRoot, job.uses.slice(2));
        for (const [calledId, calledJob] of Object.entries(called.doc.jobs as Record<string, Yaml>))
          found.push({ wf: called, id: calledId, job: calledJob, via: `${wf.file} jobs.${id}` });
      }
    }
  }
  return found;
}

describe('main is protected: nothing is pushed to it, required checks always report (defect 2)', () => {
  const settings = readSettings(repoRoot);
  const protection = settings.branch_protection;

  it('no job that runs on main holds contents: write (it could only push to the protected main)', () => {
    const writers = mainJobs()
      .filter(({ job }) => job.permissions?.contents === 'write')
      // open-pr writes promote/<target>/<id> branches for a pull request, never main.
      .filter(({ wf, id }) => !(wf.file.endsWith('promote.yml') && id === 'open-pr'))
      .map(({ wf, id, via }) => `${wf.file} jobs.${id} (from ${via})`);
    expect(writers).toEqual([]);
  });

  it('every required check is a job of a workflow that runs on every pull request, without a filter', () => {
    const available = new Map<string, string>();
    for (const wf of workflows) {
      const on = (wf.doc.on ?? {}) as Yaml;
      for (const event of ['pull_request', 'pull_request_target'] as const) {
        if (!(event in on)) continue;
        const filter = on[event] as Yaml | null;
        if (filter && (filter.paths || filter['paths-ignore'] || filter.branches)) continue;
        const types = (filter?.types as string[] | undefined) ?? [
          'opened',
          'synchronize',
          'reopened',
        ];
        if (!['opened', 'synchronize', 'reopened'].every((type) => types.includes(type))) continue;
        for (const [id, job] of Object.entries(wf.doc.jobs as Record<string, Yaml>)) {
          const context: Context = {
            github: { event_name: event, ref: 'refs/pull/7/merge', repository: `${OWNER}/${REPO}` },
          };
          if (
            job.if !== undefined &&
            !String(job.if).includes('always()') &&
            !condition(job.if, context)
          )
            continue;
          const matrix = (job.strategy?.matrix ?? {}) as Record<string, unknown>;
          const names = Object.entries(matrix).some(([, values]) => Array.isArray(values))
            ? Object.entries(matrix).flatMap(([key, values]) =>
                (values as Value[]).map((value) =>
                  String(interpolate(job.name, { matrix: { [key]: value } })),
                ),
              )
            : [String(job.name ?? id)];
          for (const name of names) available.set(name, `${wf.file} jobs.${id}`);
        }
      }
    }
    const missing = protection.required_status_checks.checks.filter((name) => !available.has(name));
    expect(missing).toEqual([]);
    expect(protection.required_status_checks.checks).toEqual(
      expect.arrayContaining(['plan', 'promotion-gate']),
    );
  });

  it('scripts/github/configure-repository.ts (ts-node, @octokit/rest) applies it; then the fake GitHub refuses an unchecked merge and a push', async () => {
    const github = await startFakeGitHub();
    try {
      const { stdout } = await execFileAsync(
        path.join(repoRoot, 'node_modules', '.bin', 'ts-node'),
        [path.join(repoRoot, 'scripts', 'github', 'configure-repository.ts'), `${OWNER}/${REPO}`],
        {
          cwd: path.join(repoRoot, 'scripts', 'github'),
          env: {
            ...process.env,
            GITHUB_TOKEN: github.userToken('admin', 'admin'),
            GITHUB_API_URL: github.url,
          },
        },
      );
      expect(stdout).toContain(
        `${OWNER}/${REPO}: main protected; required checks: plan, promotion-gate`,
      );
      const state = github.repository(OWNER, REPO);
      expect(state.protection.get('main')).toEqual({
        requiredChecks: protection.required_status_checks.checks,
        requirePullRequest: true,
      });
      // The sub claim names the job's workflow file, which the AWS roles' trust checks.
      expect(state.oidcSubjectClaimKeys).toEqual(['repo', 'context', 'job_workflow_ref']);
      const pull = github.openPullRequest(OWNER, REPO, { files: ['environments/dev/env.yaml'] });
      expect(() => github.mergePullRequest(OWNER, REPO, pull.number)).toThrow(
        /cannot be merged: \d+ of \d+ required status checks are expected/,
      );
      const push = await github
        .client(github.tokenFor(['repos.createOrUpdateFileContents']))
        .rest.repos.createOrUpdateFileContents({
          owner: OWNER,
          repo: REPO,
          path: 'environments/dev/release.yaml',
          branch: 'main',
          message: 'a bot commit',
          content: Buffer.from('services: {}\n').toString('base64'),
        })
        .then(
          () => 0,
          (error: { status: number }) => error.status,
        );
      expect(push).toBe(409);
    } finally {
      await github.stop();
    }
  });
});

describe('state locks: every run that writes an environment state is serialized per environment (defect 7)', () => {
  it('jobs applying or destroying Terraform share deploy-<env> and never cancel a running one; every Terraform step waits for locks', () => {
    const problems: string[] = [];
    for (const wf of workflows) {
      for (const [id, job] of Object.entries(wf.doc.jobs as Record<string, Yaml>)) {
        const steps = (job.steps ?? []) as Yaml[];
        const terraform = steps.filter((s) => s.uses === './actions/terraform');
        const writes = terraform.some((s) => ['apply', 'destroy'].includes(s.with?.command));
        if (
          writes &&
          !(
            job.concurrency?.group === 'deploy-${{ inputs.environment }}' &&
            job.concurrency?.['cancel-in-progress'] === false
          )
        )
          problems.push(
            `${wf.file} jobs.${id}: applies Terraform outside concurrency deploy-<env> (cancel-in-progress: false)`,
          );
      }
    }
    expect(problems).toEqual([]);
    const action = parse(
      fs.readFileSync(path.join(repoRoot, 'actions/terraform/action.yml'), 'utf8'),
    ) as Yaml;
    expect(action.inputs['lock-timeout'].default).toMatch(/^\d+m$/);
  });
});

describe('queued deploys: no merged change is dropped when GitHub cancels a pending run (defect 3)', () => {
  const deployWorkflow = readYamlFile(repoRoot, DEPLOY_WORKFLOW.slice(2));
  /** Every way a deploy of an environment starts: the jobs calling deploy-environment.yml, per event on main. */
  const starts = workflows.flatMap((wf) =>
    Object.entries(wf.doc.jobs as Record<string, Yaml>)
      .filter(([, job]) => job.uses === DEPLOY_WORKFLOW)
      .flatMap(([id, job]) =>
        triggers(wf)
          .filter((event) => !event.startsWith('pull_request') && event !== 'workflow_call')
          .map((event) => ({ workflow: wf.file, id, job, event })),
      ),
  );

  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(() => github.stop());

  /** A successful GitHub deployment of `environment` from `sha` (what a finished deploy leaves). */
  const deployedFrom = (environment: string, sha: string) =>
    recordDeployment(github, { owner: OWNER, repo: REPO, environment, sha });

  /** What the environments action says, for real, in the changes job at `sha`. */
  async function changesAt(environment: string, sha: string): Promise<Record<string, string>> {
    const result = await runBundledAction({
      actionDir: path.join(repoRoot, 'actions', 'environments'),
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: repoRoot,
      eventName: 'push',
      inputs: {
        mode: 'deploy',
        environment,
        'github-token': github.tokenFor([
          'repos.listDeployments',
          'repos.listDeploymentStatuses',
          'repos.compareCommitsWithBasehead',
        ]),
      },
      env: { GITHUB_SHA: sha },
    });
    if (result.exitCode !== 0) throw new Error(result.errors.join('\n'));
    return result.outputs;
  }

  /**
   * Whether the deploy run started by `start` at `sha` applies Terraform, as GitHub would decide:
   * the caller's `with:`, the called workflow's jobs and their outputs, the step's `if:`.
   */
  async function appliesTerraform(
    start: (typeof starts)[number],
    sha: string,
    environment: string,
  ): Promise<boolean> {
    const github_ = { event_name: start.event, ref: 'refs/heads/main', sha };
    const dispatchInputs: Record<string, Value> = { environment };
    const inputs: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(
      deployWorkflow.doc.on.workflow_call.inputs as Record<string, Yaml>,
    ))
      if (spec.default !== undefined) inputs[name] = spec.default as Value;
    for (const [name, value] of Object.entries((start.job.with ?? {}) as Record<string, unknown>))
      inputs[name] = interpolate(value, {
        github: github_,
        inputs: dispatchInputs,
        needs: { release: { outputs: { images: '' } } },
      }) as Value;
    const jobs = deployWorkflow.doc.jobs as Record<string, Yaml>;
    const needs: Record<string, Value> = {};
    for (const [id, job] of Object.entries(jobs)) {
      const steps: Record<string, Value> = {};
      for (const step of (job.steps ?? []) as Yaml[]) {
        if (step.uses === './actions/environments' && step.with?.mode === 'deploy' && step.id)
          steps[step.id] = { outputs: await changesAt(environment, sha) };
      }
      const context: Context = { github: github_, inputs, steps, needs };
      const outputs: Record<string, Value> = {};
      for (const [name, value] of Object.entries((job.outputs ?? {}) as Record<string, unknown>))
        outputs[name] = interpolate(value, context) as Value;
      const ran = job.if === undefined || condition(job.if, { ...context, status: {} });
      needs[id] = { result: ran ? 'success' : 'skipped', outputs };
      const apply = ((job.steps ?? []) as Yaml[]).find(
        (step) => step.uses === './actions/terraform' && step.with?.command === 'apply',
      );
      if (!apply) continue;
      if (!ran) return false;
      const env: Record<string, Value> = {};
      for (const [name, value] of Object.entries((job.env ?? {}) as Record<string, unknown>))
        env[name] = interpolate(value, { ...context, needs }) as Value;
      return condition(apply.if, { github: github_, inputs, needs, env, steps: {}, status: {} });
    }
    throw new Error(`${DEPLOY_WORKFLOW} has no Terraform apply step`);
  }

  it('finds the ways a deploy starts', () => {
    expect(starts.length).toBeGreaterThan(0);
  });

  it.each(['dev', 'staging'])(
    '%s: whichever run replaces a cancelled pending merge deploy still applies its infrastructure change',
    async (environment) => {
      const state = github.repository(OWNER, REPO);
      const failures: string[] = [];
      for (const start of starts.filter(
        (s) =>
          s.job.with?.environment === environment ||
          String(s.job.with?.environment).includes('inputs.environment'),
      )) {
        // The environment was last deployed from `deployed`.
        const deployed = state.commitOn(
          'main',
          [`environments/${environment}/values.yaml`],
          'deployed',
        );
        await deployedFrom(environment, deployed);
        // A deploy is running; a merge that changes the environment's infrastructure queues...
        const group = `deploy-${environment}`;
        const running = github.concurrency.enqueue(group, 'a deploy that was running');
        const infraMerge = state.commitOn(
          'main',
          [`environments/${environment}/env.yaml`],
          'merge: infrastructure',
        );
        const pendingInfra = github.concurrency.enqueue(group, `push of ${infraMerge}`);
        // ...and a later run of this kind arrives: GitHub cancels the pending one.
        const head = state.commitOn(
          'main',
          [`environments/${environment}/values.yaml`],
          'a later change',
        );
        const later = github.concurrency.enqueue(group, `${start.workflow} ${start.event}`);
        expect([running.state, pendingInfra.state, later.state]).toEqual([
          'running',
          'cancelled',
          'pending',
        ]);
        github.concurrency.complete(running.id);
        expect(later.state).toBe('running');
        if (!(await appliesTerraform(start, head, environment)))
          failures.push(
            `${start.workflow} jobs.${start.id} on ${start.event}: the run that replaced the cancelled one does not apply Terraform, so ${infraMerge.slice(0, 7)} is never applied`,
          );
        github.concurrency.complete(later.id);
      }
      expect(failures).toEqual([]);
    },
  );

  it('a release-only change since the last deployment deploys the Helm release alone (defect 9)', async () => {
    const state = github.repository(OWNER, REPO);
    const deployed = state.commitOn('main', ['README.md'], 'deployed');
    await deployedFrom('prod', deployed);
    const head = state.commitOn('main', ['environments/prod/release.yaml'], 'promotion of prod');
    const push = starts.find((s) => s.event === 'push' && s.job.with?.environment === 'prod')!;
    expect(push).toBeDefined();
    expect(await appliesTerraform(push, head, 'prod')).toBe(false);
    expect(await changesAt('prod', head)).toMatchObject({
      release: 'true',
      infrastructure: 'false',
    });
  });
});

describe('a teardown that stopped half way is run again and finishes (defect 8)', () => {
  const teardown = readYamlFile(repoRoot, '.github/workflows/teardown.yml');
  const jobs = teardown.doc.jobs as Record<string, Yaml>;
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'teardown-rerun-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

  /** A kops that answers `get cluster` as a deleted (or a living) cluster does. */
  function kops(exists: boolean): string {
    const file = path.join(temp, exists ? 'kops-exists' : 'kops-gone');
    fs.writeFileSync(
      file,
      exists
        ? "#!/bin/sh\necho 'NAME\tCLOUD\tZONES'\necho 'dev.movies.k8s.local\taws\teu-west-1a'\n"
        : '#!/bin/sh\necho \'Error: cluster not found "dev.movies.k8s.local"\' >&2\nexit 1\n',
      { mode: 0o755 },
    );
    return file;
  }

  /** The real teardown action's answer, for the teardown job's step with id `left`. */
  async function whatIsLeft(outputs: Record<string, unknown>, exists: boolean) {
    const file = path.join(temp, 'outputs.json');
    fs.writeFileSync(file, JSON.stringify(outputs));
    const result = await runBundledAction({
      actionDir: path.join(repoRoot, 'actions', 'teardown'),
      workspace: repoRoot,
      inputs: { environment: 'dev', 'terraform-outputs': file, 'kops-path': kops(exists) },
    });
    if (result.exitCode !== 0) throw new Error(result.errors.join('\n'));
    return result.outputs;
  }

  /** The steps of the teardown job that run, as GitHub decides their `if:`. */
  function stepsThatRun(left: Record<string, string>, protectionHash: string): string[] {
    const job = jobs.teardown!;
    const context: Context = {
      github: { event_name: 'workflow_dispatch', ref: 'refs/heads/main' },
      inputs: { environment: 'dev' },
      needs: {
        'destroy-plan': { result: 'success', outputs: { 'protection-hash': protectionHash } },
      },
      env: job.env as Record<string, Value>,
      steps: { left: { outputs: left } },
      status: {},
    };
    return ((job.steps ?? []) as Yaml[])
      .filter((step) => String(step.uses).startsWith('./actions/'))
      .filter((step) => step.if === undefined || condition(step.if, context))
      .map((step) => `${String(step.uses).slice(10)} ${step.with.command}`);
  }

  const applied = {
    cluster_name: { value: 'dev.movies.k8s.local' },
    kops_state_store: { value: 's3://movies-kops-state-111111111111-dev' },
  };

  it('the first run deletes the cluster, turns DocumentDB protection off and destroys', async () => {
    expect(stepsThatRun(await whatIsLeft(applied, true), 'a'.repeat(64))).toEqual([
      'terraform output',
      'teardown inspect',
      'kops export-kubeconfig',
      'helm uninstall',
      'kops delete',
      'terraform apply',
      'terraform destroy',
      'teardown record',
    ]);
  });

  it('a rerun after kops deleted the cluster skips the kubeconfig, Helm and kOps steps', async () => {
    expect(stepsThatRun(await whatIsLeft(applied, false), 'a'.repeat(64))).toEqual([
      'terraform output',
      'teardown inspect',
      'terraform apply',
      'terraform destroy',
      'teardown record',
    ]);
  });

  it('the protection plan exists only while DocumentDB is in the state; without it no protection step runs', async () => {
    const plan = (jobs['destroy-plan']!.steps as Yaml[]).find((s) => s.id === 'protection')!;
    const planContext = (destroyed: string[]): Context => ({
      env: jobs['destroy-plan']!.env as Record<string, Value>,
      steps: { destroy: { outputs: { 'destroyed-addresses': JSON.stringify(destroyed) } } },
      status: {},
    });
    const documentdb = String(jobs['destroy-plan']!.env.DOCUMENTDB);
    expect(condition(plan.if, planContext([documentdb, 'module.network.aws_vpc.this']))).toBe(true);
    expect(condition(plan.if, planContext(['module.network.aws_vpc.this']))).toBe(false);
    expect(stepsThatRun(await whatIsLeft({}, false), '')).toEqual([
      'terraform output',
      'teardown inspect',
      'terraform destroy',
      'teardown record',
    ]);
  });

  it('a rerun never destroys from anything but its own reviewed destroy plan', () => {
    const destroy = (jobs.teardown!.steps as Yaml[]).find((s) => s.with?.command === 'destroy')!;
    expect(destroy.with['plan-hash']).toBe('${{ needs.destroy-plan.outputs.destroy-hash }}');
    expect(jobs['destroy-plan']!.outputs['destroy-hash']).toBe(
      '${{ steps.destroy.outputs.plan-hash }}',
    );
  });
});
