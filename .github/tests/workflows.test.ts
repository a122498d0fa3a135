import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { parse } from 'yaml';
import {
  jobProblems,
  localActionFiles,
  localUseProblems,
  pinProblems,
  pullRequestTargetProblems,
  readYamlFile,
  usesOf,
  workflowFiles,
  type WorkflowFile,
  type Yaml,
} from './workflow-model';

const workflows = workflowFiles(repoRoot);
const compositeActions = localActionFiles(repoRoot);
const everything = [...workflows, ...compositeActions];
const byName = (name: string): WorkflowFile => {
  const found = workflows.find((wf) => wf.file === `.github/workflows/${name}`);
  if (!found) throw new Error(`.github/workflows/${name} is missing`);
  return found;
};
const triggersOf = (wf: WorkflowFile): Yaml => wf.doc.on as Yaml;

describe('workflow rules', () => {
  it('finds the workflows of the issue', () => {
    const names = workflows.map((wf) => path.basename(wf.file));
    expect(names).toEqual(
      expect.arrayContaining([
        'ci.yml',
        'plan.yml',
        'apply.yml',
        'promote.yml',
        'teardown.yml',
        'drift.yml',
      ]),
    );
  });

  it('every ./actions/<x> and ./.github/... call names an existing action with declared inputs, required ones present', () => {
    const refs = everything.flatMap(usesOf);
    expect(refs.filter((ref) => ref.uses.startsWith('./actions/')).length).toBeGreaterThan(20);
    expect(localUseProblems(repoRoot, refs)).toEqual([]);
  });

  it('every third-party action is pinned to a 40-hex commit with a version comment', () => {
    expect(everything.flatMap(pinProblems)).toEqual([]);
  });

  it('every job has timeout-minutes and its own permissions; top-level permissions grant no write', () => {
    expect(workflows.flatMap(jobProblems)).toEqual([]);
  });

  it('no pull_request_target workflow checks out or runs pull request code (only the base)', () => {
    expect(workflows.flatMap(pullRequestTargetProblems)).toEqual([]);
  });

  it('uses no static AWS keys: credentials come from OIDC roles', () => {
    for (const wf of everything) {
      expect(wf.text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    }
    const roles = everything
      .flatMap(usesOf)
      .filter((ref) => ref.uses.startsWith('aws-actions/configure-aws-credentials@'));
    expect(roles.length).toBeGreaterThan(5);
    for (const ref of roles)
      expect(String(ref.with['role-to-assume'])).toMatch(
        /^\$\{\{ (vars\.(APPLY_ROLE_ARN|IMAGE_PUSH_ROLE_ARN)|fromJSON\(vars\.PLAN_ROLE_ARNS\)\[(matrix\.environment|inputs\.environment|env\.TARGET)\]) \}\}$/,
      );
  });
});

describe('the checks catch bad workflows', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-rules-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

  function fixture(text: string): WorkflowFile {
    fs.mkdirSync(path.join(temp, '.github', 'workflows'), { recursive: true });
    fs.writeFileSync(path.join(temp, '.github', 'workflows', 'bad.yml'), text);
    return readYamlFile(temp, '.github/workflows/bad.yml');
  }

  it('flags an undeclared input, a missing required input and a missing action', () => {
    fs.mkdirSync(path.join(temp, 'actions', 'thing'), { recursive: true });
    fs.writeFileSync(
      path.join(temp, 'actions', 'thing', 'action.yml'),
      'name: t\ndescription: t\ninputs:\n  environment: { description: e, required: true }\n  mode: { description: m, required: false }\nruns: { using: node24, main: dist/index.js }\n',
    );
    const wf = fixture(
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 1\n    permissions: {}\n    steps:\n      - uses: ./actions/thing\n        with: { mod: all }\n      - uses: ./actions/nothing\n',
    );
    expect(localUseProblems(temp, usesOf(wf))).toEqual([
      '.github/workflows/bad.yml jobs.a.steps[0] (./actions/thing): input "mod" is not declared (declared: environment, mode)',
      '.github/workflows/bad.yml jobs.a.steps[0] (./actions/thing): required input "environment" is missing',
      '.github/workflows/bad.yml jobs.a.steps[1] (./actions/nothing): ./actions/nothing is not an action: ./actions/nothing/action.yml does not exist',
    ]);
  });

  it('flags tags, short shas and missing version comments', () => {
    const wf = fixture(
      [
        'jobs:',
        '  a:',
        '    steps:',
        '      - uses: actions/checkout@v5',
        '      - uses: actions/checkout@08c6903',
        '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8',
        '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
        '',
      ].join('\n'),
    );
    expect(pinProblems(wf).map((p) => p.replace(/^.*?:(\d+): /, '$1 '))).toEqual([
      '4 actions/checkout@v5 is not pinned to a 40-hex commit sha',
      '5 actions/checkout@08c6903 is not pinned to a 40-hex commit sha',
      '6 actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 has no "# vX.Y.Z" version comment',
    ]);
  });

  it('flags jobs without timeout or permissions and write permissions at the top', () => {
    const wf = fixture(
      'on: push\npermissions: { contents: write }\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true" }]\n',
    );
    expect(jobProblems(wf)).toEqual([
      '.github/workflows/bad.yml: top-level permissions {"contents":"write"} grant write: grant it per job',
      '.github/workflows/bad.yml jobs.a: no permissions',
      '.github/workflows/bad.yml jobs.a: no timeout-minutes',
    ]);
  });

  it('flags a pull_request_target workflow that checks out the pull request; the base is fine', () => {
    const wf = fixture(
      'on: pull_request_target\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n        with: { ref: "${{ github.event.pull_request.head.sha }}" }\n',
    );
    expect(pullRequestTargetProblems(wf)).toHaveLength(2);
    const base = fixture(
      'on: pull_request_target\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n        with: { ref: "${{ github.event.pull_request.base.sha }}" }\n      - uses: ./actions/promote\n',
    );
    expect(pullRequestTargetProblems(base)).toEqual([]);
  });
});

describe('how the workflows chain', () => {
  const stepsOf = (job: Yaml) =>
    (job.steps as Yaml[])
      .filter((s) => String(s.uses).startsWith('./actions/'))
      .map((s) => `${s.uses.slice(10)} ${s.with.command ?? s.with.mode}`);

  it('ci tests first, then builds every image and pushes it to ECR on main only (nothing untested is pushed)', () => {
    const ci = byName('ci.yml');
    expect(Object.keys(triggersOf(ci))).toEqual(expect.arrayContaining(['pull_request', 'push']));
    const images = ci.doc.jobs.images as Yaml;
    expect(images.needs).toBe('test');
    expect(images.strategy.matrix.service).toEqual(['auth', 'data', 'recommendation', 'web']);
    const build = (images.steps as Yaml[]).find((step) =>
      String(step.uses).startsWith('docker/build-push-action@'),
    )!;
    expect(build.with).toMatchObject({
      context: '.',
      file: 'services/${{ matrix.service }}/Dockerfile',
    });
    expect(build.with['cache-from']).toContain('type=gha');
    expect(build.with.push).toBe("${{ env.PUSH == 'true' }}");
    expect(images.env.PUSH).toBe(
      "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}",
    );
    expect(String(build.with.tags)).toContain('github.sha');
  });

  it('on main, ci deploys dev with the images it pushed, then staging and prod in order', () => {
    const jobs = byName('ci.yml').doc.jobs as Record<string, Yaml>;
    expect(jobs.release!.needs).toBe('images');
    expect(jobs.dev).toMatchObject({
      needs: 'release',
      uses: './.github/workflows/deploy-environment.yml',
      with: { environment: 'dev', images: '${{ needs.release.outputs.images }}' },
    });
    expect(jobs.staging!.needs).toEqual(['release', 'dev']);
    expect(jobs.prod!.needs).toEqual(['release', 'dev', 'staging']);
    for (const [name, earlier] of [
      ['staging', ['dev']],
      ['prod', ['dev', 'staging']],
    ] as const) {
      const condition = String(jobs[name]!.if);
      expect(condition).toContain('!cancelled()');
      for (const before of earlier)
        expect(condition).toContain(
          `(needs.${before}.result == 'success' || needs.${before}.result == 'skipped')`,
        );
      expect(jobs[name]).toMatchObject({
        uses: './.github/workflows/deploy-environment.yml',
        with: { environment: name },
      });
    }
  });

  it('the deploy job applies only what changed since the last deployment, each part checked against its review', () => {
    const deploy = byName('deploy-environment.yml').doc.jobs.deploy as Yaml;
    expect(deploy.environment.name).toBe('${{ inputs.environment }}');
    expect(deploy.concurrency).toEqual({
      group: 'deploy-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
    expect(stepsOf(deploy)).toEqual([
      'promote verify-release',
      'terraform apply',
      'terraform output',
      'kops render',
      'review verify',
      'kops apply',
      'kops validate',
      'kops export-kubeconfig',
      'helm upgrade',
    ]);
    const infrastructureOnly = (deploy.steps as Yaml[])
      .filter((s) => String(s.if ?? '').includes("env.INFRASTRUCTURE == 'true'"))
      .map((s) => `${s.uses.slice(10)} ${s.with.command}`);
    expect(infrastructureOnly).toEqual([
      'terraform apply',
      'kops render',
      'review verify',
      'kops apply',
      'kops validate',
    ]);
    expect(deploy.env.INFRASTRUCTURE).toBe('${{ needs.changes.outputs.infrastructure }}');
    const changes = byName('deploy-environment.yml').doc.jobs.changes as Yaml;
    expect(stepsOf(changes)).toEqual(['environments deploy']);
  });

  it('plan comments per affected environment with its own plan role, uploads the plan, records the review', () => {
    const plan = byName('plan.yml');
    // No path filter: the required `plan` check reports on every pull request.
    expect(triggersOf(plan).pull_request).toBeNull();
    const job = plan.doc.jobs['plan-environment'] as Yaml;
    expect(job.strategy.matrix).toBe('${{ fromJSON(needs.affected.outputs.matrix) }}');
    const steps = job.steps as Yaml[];
    expect(
      steps.find((s) => String(s.uses).startsWith('aws-actions/'))!.with['role-to-assume'],
    ).toBe('${{ fromJSON(vars.PLAN_ROLE_ARNS)[matrix.environment] }}');
    expect(stepsOf(job)).toEqual([
      'terraform plan',
      'terraform output',
      'kops diff',
      'helm diff',
      'review record',
    ]);
    expect(
      steps.find((s) => String(s.uses).startsWith('actions/upload-artifact@'))!.with.name,
    ).toBe('plan-${{ matrix.environment }}');
    const aggregate = plan.doc.jobs.plan as Yaml;
    expect(aggregate).toMatchObject({
      name: 'plan',
      if: 'always()',
      needs: ['affected', 'plan-environment'],
    });
  });

  it('the promotion gate runs on pull_request_target from the base, never code of the pull request it judges (defect 10)', () => {
    const promote = byName('promote.yml');
    const on = triggersOf(promote);
    expect(on.pull_request).toBeUndefined();
    expect(on.pull_request_target.types).toEqual(
      expect.arrayContaining(['labeled', 'unlabeled', 'synchronize', 'opened', 'edited']),
    );
    expect(on.workflow_dispatch.inputs.target.options).toEqual(['staging', 'prod']);
    const gate = promote.doc.jobs['promotion-gate'] as Yaml;
    expect(gate.name).toBe('promotion-gate');
    expect(gate.steps[0].with.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect((promote.doc.jobs['open-pr'] as Yaml).steps.at(-1).with.command).toBe('open-pr');
    // No workflow a pull request can edit runs with statuses or checks write.
    for (const wf of workflows) {
      const on = triggersOf(wf) ?? {};
      if (!('pull_request' in on)) continue;
      for (const [id, job] of Object.entries(wf.doc.jobs as Record<string, Yaml>))
        expect([`${wf.file} ${id}`, job.permissions?.statuses]).not.toEqual([
          `${wf.file} ${id}`,
          'write',
        ]);
    }
  });

  it('apply is the recovery path: a fresh plan of main, applied after the environment approves', () => {
    const apply = byName('apply.yml');
    expect(Object.keys(triggersOf(apply))).toEqual(['workflow_dispatch']);
    expect(apply.doc.jobs.recover).toMatchObject({
      if: "github.ref == 'refs/heads/main'",
      uses: './.github/workflows/deploy-environment.yml',
      with: { environment: '${{ inputs.environment }}', recovery: true },
    });
    const jobs = byName('deploy-environment.yml').doc.jobs as Record<string, Yaml>;
    expect(jobs['recovery-plan']!.environment).toBeUndefined();
    expect(stepsOf(jobs['recovery-plan']!)).toEqual(['terraform plan']);
    const terraformApply = (jobs.deploy!.steps as Yaml[]).find((s) => s.with?.command === 'apply')!;
    expect(terraformApply.with['plan-hash']).toBe('${{ needs.recovery-plan.outputs.plan-hash }}');
  });

  it('teardown validates, shows the plans, then destroys only what is left, in the environment', () => {
    const teardown = byName('teardown.yml');
    const inputs = triggersOf(teardown).workflow_dispatch.inputs as Yaml;
    expect(Object.keys(inputs)).toEqual(['environment', 'confirm', 'allow-prod']);
    const jobs = teardown.doc.jobs as Record<string, Yaml>;
    expect(Object.keys(jobs)).toEqual(['validate', 'destroy-plan', 'teardown']);
    expect(jobs['destroy-plan']!.needs).toBe('validate');
    expect(jobs.teardown!.needs).toBe('destroy-plan');
    expect(jobs.teardown!.environment.name).toBe('${{ inputs.environment }}');
    expect(jobs.teardown!.concurrency.group).toBe('deploy-${{ inputs.environment }}');
    const steps = jobs.teardown!.steps as Yaml[];
    // The order of a first run and of reruns: delivery.test.ts evaluates the steps' conditions.
    // The cluster steps only while the cluster exists (a rerun after kops delete skips them).
    for (const command of ['export-kubeconfig', 'uninstall', 'delete'])
      expect(steps.find((s) => s.with?.command === command)!.if).toBe(
        "steps.left.outputs.cluster-exists == 'true'",
      );
    expect(steps.find((s) => s.with?.command === 'destroy')!.with['plan-hash']).toBe(
      '${{ needs.destroy-plan.outputs.destroy-hash }}',
    );
  });

  it('drift plans every environment daily and on dispatch', () => {
    const drift = byName('drift.yml');
    expect(triggersOf(drift).schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(triggersOf(drift)).toHaveProperty('workflow_dispatch');
    expect(drift.doc.jobs.environments.steps.at(-1).with.mode).toBe('all');
    const report = (drift.doc.jobs.drift.steps as Yaml[]).at(-1)!;
    expect(report).toMatchObject({ uses: './actions/drift', if: '${{ !cancelled() }}' });
    expect(report.with.outcome).toBe('${{ steps.plan.outcome }}');
  });

  it('dependabot keeps the pinned actions, npm and base images current', () => {
    const config = parse(
      fs.readFileSync(path.join(repoRoot, '.github', 'dependabot.yml'), 'utf8'),
    ) as Yaml;
    const ecosystems = (config.updates as Yaml[]).map((u) => u['package-ecosystem']);
    expect(ecosystems).toEqual(expect.arrayContaining(['github-actions', 'npm', 'docker']));
  });
});

/** A step's `run:` script under bash -e, as the runner runs it, with the step's env and a summary file. */
function runStepScript(
  script: string,
  env: Record<string, string>,
): { code: number; output: string } {
  const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'step-')), 'summary');
  try {
    const output = execFileSync('bash', ['-e', '-c', script], {
      env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: summary, ...env },
      encoding: 'utf8',
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { code: failed.status, output: failed.stdout };
  } finally {
    fs.rmSync(path.dirname(summary), { recursive: true, force: true });
  }
}

describe('teardown confirmation script', () => {
  const script = (byName('teardown.yml').doc.jobs.validate.steps[0] as Yaml).run as string;

  const confirm = (environment: string, typed: string, allowProd: boolean) =>
    runStepScript(script, {
      ENVIRONMENT: environment,
      CONFIRM: typed,
      ALLOW_PROD: String(allowProd),
    });

  it('accepts the environment typed again', () => {
    expect(confirm('dev', 'dev', false).code).toBe(0);
    expect(confirm('prod', 'prod', true).code).toBe(0);
  });

  it('stops on a wrong confirmation, naming the expected one', () => {
    const result = confirm('staging', 'prod', false);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'confirm must repeat the environment name "staging" (got "prod")',
    );
  });

  it('stops prod without allow-prod', () => {
    const result = confirm('prod', 'prod', false);
    expect(result.code).toBe(1);
    expect(result.output).toContain('destroying prod also needs allow-prod: true');
  });
});

describe('the one required plan check (defect 6)', () => {
  const job = byName('plan.yml').doc.jobs.plan as Yaml;
  const script = (job.steps[0] as Yaml).run as string;

  const verdict = (env: { AFFECTED: string; ANY: string; PLANS: string; FORK: string }) =>
    runStepScript(script, env);

  it('reports on every pull request, after the plans whatever their result', () => {
    expect(job).toMatchObject({ name: 'plan', if: 'always()' });
    expect(job.needs).toEqual(['affected', 'plan-environment']);
    // Its inputs are the jobs' results, not anything a step of theirs could write.
    expect(job.steps[0].env).toMatchObject({
      AFFECTED: '${{ needs.affected.result }}',
      PLANS: '${{ needs.plan-environment.result }}',
    });
  });

  it('fails when a plan failed or was cancelled, passes when every plan succeeded or nothing is affected', () => {
    const ok = { AFFECTED: 'success', ANY: 'true', PLANS: 'success', FORK: 'false' };
    expect(verdict(ok).code).toBe(0);
    expect(verdict({ ...ok, ANY: 'false', PLANS: 'skipped' }).code).toBe(0);
    for (const PLANS of ['failure', 'cancelled', 'skipped']) {
      const result = verdict({ ...ok, PLANS });
      expect([PLANS, result.code]).toEqual([PLANS, 1]);
      expect(result.output).toContain('the plan of at least one environment failed');
    }
    expect(verdict({ ...ok, AFFECTED: 'failure' }).output).toContain(
      'the affected environments could not be determined',
    );
  });

  it('fails a fork pull request that changes what gets deployed (it cannot be planned)', () => {
    const result = verdict({ AFFECTED: 'success', ANY: 'true', PLANS: 'skipped', FORK: 'true' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('forks get no OIDC token');
  });
});
