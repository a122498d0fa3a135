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

  it('no pull_request_target workflow checks out or runs pull request code', () => {
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
        /^\$\{\{ vars\.(PLAN_ROLE_ARN|APPLY_ROLE_ARN|IMAGE_PUSH_ROLE_ARN) \}\}$/,
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

  it('flags a pull_request_target workflow that checks out the pull request', () => {
    const wf = fixture(
      'on: pull_request_target\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n        with: { ref: "${{ github.event.pull_request.head.sha }}" }\n',
    );
    expect(pullRequestTargetProblems(wf)).toHaveLength(2);
  });
});

describe('how the workflows chain', () => {
  it('ci builds every service image on every commit and pushes to ECR with the OIDC push role on main only', () => {
    const ci = byName('ci.yml');
    expect(Object.keys(triggersOf(ci))).toEqual(expect.arrayContaining(['pull_request', 'push']));
    const images = ci.doc.jobs.images as Yaml;
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
    const release = ci.doc.jobs['release-dev'] as Yaml;
    expect(release.needs).toEqual(['test', 'images']);
    expect(
      release.steps.some(
        (step: Yaml) => step.uses === './actions/promote' && step.with.command === 'commit-release',
      ),
    ).toBe(true);
    expect(
      release.steps.some((step: Yaml) =>
        /gh workflow run apply\.yml .*environment=dev/.test(step.run ?? ''),
      ),
    ).toBe(true);
  });

  it('apply runs dev → staging → prod; a later one runs only after earlier ones succeeded or were skipped', () => {
    const apply = byName('apply.yml');
    const jobs = apply.doc.jobs as Record<string, Yaml>;
    expect(jobs.staging!.needs).toEqual(['affected', 'dev']);
    expect(jobs.prod!.needs).toEqual(['affected', 'dev', 'staging']);
    for (const [name, earlier] of [
      ['staging', ['dev']],
      ['prod', ['dev', 'staging']],
    ] as const) {
      const condition = String(jobs[name]!.if);
      expect(condition).toContain('!cancelled()');
      expect(condition).toContain(
        `contains(fromJSON(needs.affected.outputs.environments), '${name}')`,
      );
      for (const before of earlier)
        expect(condition).toContain(
          `(needs.${before}.result == 'success' || needs.${before}.result == 'skipped')`,
        );
    }
    for (const name of ['dev', 'staging', 'prod']) {
      expect(jobs[name]).toMatchObject({
        uses: './.github/workflows/deploy-environment.yml',
        with: { environment: name, 'apply-infrastructure': "${{ github.event_name == 'push' }}" },
      });
    }
    const deploy = byName('deploy-environment.yml').doc.jobs.deploy as Yaml;
    expect(deploy.environment.name).toBe('${{ inputs.environment }}');
    expect(deploy.concurrency).toEqual({
      group: 'deploy-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
    const commands = (deploy.steps as Yaml[])
      .filter((s) => String(s.uses).startsWith('./actions/'))
      .map((s) => `${s.uses.slice(10)} ${s.with.command}`);
    expect(commands).toEqual([
      'terraform apply',
      'terraform output',
      'kops apply',
      'kops validate',
      'kops export-kubeconfig',
      'helm upgrade',
      'helm test',
    ]);
    // Only a merged pull request carries a reviewed plan: dispatches deploy the release only.
    const gated = (deploy.steps as Yaml[])
      .filter((s) => s.if === 'inputs.apply-infrastructure')
      .map((s) => `${s.uses.slice(10)} ${s.with.command}`);
    expect(gated).toEqual(['terraform apply', 'kops apply', 'kops validate']);
  });

  it('plan comments per affected environment with the read-only role', () => {
    const plan = byName('plan.yml');
    expect(triggersOf(plan).pull_request.paths).toEqual([
      'terraform/**',
      'chart/**',
      'environments/**',
      'services/**',
    ]);
    const job = plan.doc.jobs.plan as Yaml;
    expect(job.strategy.matrix).toBe('${{ fromJSON(needs.affected.outputs.matrix) }}');
    const steps = job.steps as Yaml[];
    expect(
      steps.find((s) => String(s.uses).startsWith('aws-actions/'))!.with['role-to-assume'],
    ).toBe('${{ vars.PLAN_ROLE_ARN }}');
    expect(
      steps
        .filter((s) => String(s.uses).startsWith('./actions/'))
        .map((s) => `${s.uses.slice(10)} ${s.with.command}`),
    ).toEqual(['terraform plan', 'terraform output', 'kops diff', 'helm diff']);
    expect(plan.doc.jobs.fork.if).toBe(
      'github.event.pull_request.head.repo.full_name != github.repository',
    );
  });

  it('promote re-runs the promotion-gate job on label and push events and opens promotion PRs on dispatch', () => {
    const promote = byName('promote.yml');
    expect(triggersOf(promote).pull_request.types).toEqual(
      expect.arrayContaining(['labeled', 'unlabeled', 'synchronize', 'opened']),
    );
    expect(triggersOf(promote).workflow_dispatch.inputs.target.options).toEqual([
      'staging',
      'prod',
    ]);
    const gate = promote.doc.jobs['promotion-gate'] as Yaml;
    expect(gate.name).toBe('promotion-gate');
    expect(gate.permissions.statuses).toBe('write');
    // The gate runs the base commit's code, never the pull request's.
    expect(gate.steps[0].with.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect((promote.doc.jobs['open-pr'] as Yaml).steps.at(-1).with.command).toBe('open-pr');
  });

  it('teardown validates the confirmation first, shows the destroy plan, then destroys in the environment', () => {
    const teardown = byName('teardown.yml');
    const inputs = triggersOf(teardown).workflow_dispatch.inputs as Yaml;
    expect(Object.keys(inputs)).toEqual(['environment', 'confirm', 'allow-prod']);
    const jobs = teardown.doc.jobs as Record<string, Yaml>;
    expect(Object.keys(jobs)).toEqual(['validate', 'destroy-plan', 'teardown']);
    expect(jobs['destroy-plan']!.needs).toBe('validate');
    expect(jobs.teardown!.needs).toBe('destroy-plan');
    expect(jobs.teardown!.environment.name).toBe('${{ inputs.environment }}');
    const order = (jobs.teardown!.steps as Yaml[])
      .filter((s) => String(s.uses).startsWith('./actions/'))
      .map((s) => `${s.uses.slice(10)} ${s.with.command}`);
    expect(order.slice(-3)).toEqual(['helm uninstall', 'kops delete', 'terraform destroy']);
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

describe('teardown confirmation script', () => {
  const script = (byName('teardown.yml').doc.jobs.validate.steps[0] as Yaml).run as string;

  function confirm(
    environment: string,
    typed: string,
    allowProd: boolean,
  ): { code: number; output: string } {
    const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'teardown-')), 'summary');
    try {
      const output = execFileSync('bash', ['-e', '-c', script], {
        env: {
          PATH: process.env.PATH,
          ENVIRONMENT: environment,
          CONFIRM: typed,
          ALLOW_PROD: String(allowProd),
          GITHUB_STEP_SUMMARY: summary,
        },
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
