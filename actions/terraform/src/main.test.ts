import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMENT_LIMIT, parseSections, renderCommentBody } from '@movies/actions-lib';
import {
  distDifference,
  forRepository,
  runBundledAction,
  startFakeGitHub,
  webhookExample,
  type FakeGitHub,
  readRecordedCalls,
} from '@movies/actions-lib/testing';
import { repoRoot } from '@movies/testing';
import { planHash, type PlanDocument } from './plan';

const actionDir = path.resolve(__dirname, '..');

// Each test runs the bundled action as a child process (1-3 s each on a busy machine).
jest.setTimeout(60_000);
const fixtures = path.join(__dirname, '__fixtures__');
const OWNER = 'movies-org';
const REPO = 'movies-gitops';
const readPlan = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8')) as PlanDocument;

interface Sandbox {
  workspace: string;
  bin: string;
  log: string;
  runnerTemp: string;
  calls(): Array<{ argv: string[]; cwd: string }>;
}

/** A repository-shaped workspace (real environments, an empty terraform root) and the terraform stand-in on PATH. */
function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-action-'));
  const workspace = path.join(dir, 'repo');
  fs.cpSync(path.join(repoRoot, 'environments'), path.join(workspace, 'environments'), {
    recursive: true,
  });
  fs.mkdirSync(path.join(workspace, 'terraform', 'environment'), { recursive: true });
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.copyFileSync(path.join(fixtures, 'terraform-stand-in.js'), path.join(bin, 'terraform'));
  fs.chmodSync(path.join(bin, 'terraform'), 0o755);
  const runnerTemp = path.join(dir, 'runner-temp');
  fs.mkdirSync(runnerTemp);
  const log = path.join(dir, 'terraform-calls.jsonl');
  return {
    workspace,
    bin,
    log,
    runnerTemp,
    calls: () => readRecordedCalls<{ argv: string[]; cwd: string }>(log),
  };
}

describe('terraform action (bundled, run as the runner does, terraform stand-in on PATH)', () => {
  let github: FakeGitHub;
  let box: Sandbox;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(() => github.stop());
  beforeEach(() => {
    box = sandbox();
  });
  afterEach(() => fs.rmSync(path.dirname(box.workspace), { recursive: true, force: true }));

  const pullRequestEvent = (action: string, number: number) => {
    const event = forRepository(webhookExample('pull_request', action), OWNER, REPO);
    (event.pull_request as { number: number }).number = number;
    event.number = number;
    return event;
  };

  const run = (options: {
    command: string;
    environment?: string;
    plan?: string;
    eventName?: string;
    event?: Record<string, unknown>;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
  }) =>
    runBundledAction({
      actionDir,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: box.workspace,
      eventName: options.eventName ?? 'pull_request',
      event: options.event,
      inputs: {
        'github-token': 'fake-token',
        environment: options.environment ?? 'staging',
        command: options.command,
        ...options.inputs,
      },
      env: {
        PATH: `${box.bin}:${process.env.PATH}`,
        RUNNER_TEMP: box.runnerTemp,
        TF_STAND_IN_LOG: box.log,
        TF_STAND_IN_PLAN: options.plan ?? path.join(fixtures, 'plan-mixed.json'),
        TF_STAND_IN_OUTPUTS: path.join(fixtures, 'outputs.json'),
        ...options.env,
      },
    });

  it('plan: generates tfvars and backend config, runs init/plan/show, and comments counts, warnings and the hash', async () => {
    const result = await run({ command: 'plan', event: pullRequestEvent('opened', 101) });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const hash = planHash(readPlan('plan-mixed.json'));
    expect(result.outputs).toMatchObject({
      changes: 'true',
      'to-add': '2',
      'to-change': '2',
      'to-destroy': '3',
      'plan-hash': hash,
    });

    const workdir = path.join(box.workspace, 'terraform', 'environment');
    expect(
      JSON.parse(fs.readFileSync(path.join(workdir, 'staging.auto.tfvars.json'), 'utf8')),
    ).toEqual({
      environment: 'staging',
      aws_account_id: '111111111111',
      region: 'eu-west-1',
      vpc_cidr: '10.20.0.0/16',
      az_count: 2,
      nat_gateway_mode: 'single',
      cluster_name: 'staging.movies.k8s.local',
      enable_flow_logs: true,
      create_documentdb: true,
      documentdb_instance_count: 1,
      documentdb_instance_class: 'db.t4g.medium',
      documentdb_deletion_protection: true,
    });
    const backend = fs.readFileSync(path.join(workdir, 'backend.hcl'), 'utf8');
    expect(backend).toContain('bucket       = "movies-tfstate-111111111111"');
    expect(backend).toContain('key          = "environments/staging/terraform.tfstate"');
    expect(backend).toMatch(/region += "eu-west-1"\nuse_lockfile = true\nencrypt += true/);

    const calls = box.calls();
    expect(calls.map((c) => c.argv[0])).toEqual(['init', 'plan', 'show']);
    expect(calls.every((c) => c.cwd === workdir)).toBe(true);
    expect(calls[0]!.argv).toEqual([
      'init',
      '-input=false',
      '-no-color',
      '-reconfigure',
      `-backend-config=${path.join(workdir, 'backend.hcl')}`,
    ]);
    const planFile = path.join(box.runnerTemp, 'terraform', 'staging', 'staging.tfplan');
    expect(calls[1]!.argv).toEqual([
      'plan',
      '-input=false',
      '-no-color',
      `-out=${planFile}`,
      '-detailed-exitcode',
    ]);
    expect(calls[2]!.argv).toEqual(['show', '-json', '-no-color', planFile]);

    const comments = github.comments(OWNER, REPO, 101);
    expect(comments).toHaveLength(1);
    const section = parseSections(comments[0]!.body).get('terraform')!;
    const lines = section.split('\n').filter((line) => line !== '');
    expect(lines[0]).toBe('### Terraform plan for `staging`');
    expect(lines[1]).toBe(`<!-- plan-hash:${hash} -->`);
    expect(lines.slice(2, 7)).toEqual([
      '> [!CAUTION]',
      '> **This plan destroys or replaces 3 resources:**',
      '> - replace `module.network.aws_subnet.private["eu-west-1a"]` (forced by `cidr_block`)',
      '> - destroy `module.network.aws_nat_gateway.this["eu-west-1b"]`',
      '> - destroy `module.network.aws_eip.nat["eu-west-1b"]`',
    ]);
    expect(section).toContain(
      '**Plan: 2 to add, 2 to change, 3 to destroy** (1 replacement) · 2 output changes',
    );
    expect(section).toContain(`Plan hash \`${hash}\``);
    expect(section).toContain('~     master_password = (sensitive) -> (sensitive)');
    expect(section).toContain('~     cidr_block = "10.20.64.0/19" -> "10.20.128.0/18"');
    expect(section).toContain('+     tags.CostCenter = "platform"');
    expect(section).toContain(
      '~ private_subnet_ids = {"eu-west-1a":"subnet-0123456789abcdef0","eu-west-1b":"subnet-0fedcba987654321f"} -> (known after apply)',
    );

    for (const secret of ['old-Secret-Pa55word', 'n3w-Secret-Pa55word']) {
      expect(result.masked).toContain(secret);
      expect(comments[0]!.body).not.toContain(secret);
      expect(result.summary).not.toContain(secret);
      expect(fs.readFileSync(result.outputs['plan-path']!, 'utf8')).not.toContain(secret);
    }
    expect(result.summary).toContain('### Terraform plan for `staging`');
  });

  it('a second plan (synchronize) edits the same comment and keeps the other sections', async () => {
    github.addComment(
      OWNER,
      REPO,
      102,
      renderCommentBody('staging', new Map([['kops', 'kOps: cluster spec unchanged']])),
    );
    const first = await run({ command: 'plan', event: pullRequestEvent('opened', 102) });
    const second = await run({
      command: 'plan',
      event: pullRequestEvent('synchronize', 102),
      plan: path.join(fixtures, 'plan-create.json'),
      environment: 'staging',
    });
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const comments = github.comments(OWNER, REPO, 102);
    expect(comments).toHaveLength(1);
    const sections = parseSections(comments[0]!.body);
    expect(sections.get('kops')).toBe('kOps: cluster spec unchanged');
    expect(sections.get('terraform')).toContain(planHash(readPlan('plan-create.json')));
    expect(sections.get('terraform')).not.toContain('CAUTION');
    const edits = github.requests.filter(
      (r) =>
        r.method === 'PATCH' &&
        r.path === `/repos/${OWNER}/${REPO}/issues/comments/${comments[0]!.id}`,
    );
    expect(edits).toHaveLength(2);
    expect(
      github.requests.filter((r) => r.method === 'POST' && r.path.includes('/issues/102/')),
    ).toHaveLength(0);
  });

  it('the first plan creates the comment, the next run edits that same comment', async () => {
    await run({ command: 'plan', event: pullRequestEvent('opened', 107) });
    const created = github.comments(OWNER, REPO, 107);
    expect(created).toHaveLength(1);
    const id = created[0]!.id;
    await run({
      command: 'plan',
      event: pullRequestEvent('synchronize', 107),
      plan: path.join(fixtures, 'plan-no-changes.json'),
    });
    const after = github.comments(OWNER, REPO, 107);
    expect(after.map((c) => c.id)).toEqual([id]);
    expect(after[0]!.body).toContain('**No changes.**');
    const writes = github.requests.filter(
      (r) =>
        r.method !== 'GET' &&
        (r.path.includes('/issues/107/') || r.path.endsWith(`/comments/${id}`)),
    );
    expect(writes.map((r) => [r.method, r.path])).toEqual([
      ['POST', `/repos/${OWNER}/${REPO}/issues/107/comments`],
      ['PATCH', `/repos/${OWNER}/${REPO}/issues/comments/${id}`],
    ]);
  });

  it('destroy-plan adds -destroy; a plan without changes says so', async () => {
    const destroy = await run({ command: 'destroy-plan', event: pullRequestEvent('opened', 103) });
    expect(box.calls()[1]!.argv).toContain('-destroy');
    expect(parseSections(github.comments(OWNER, REPO, 103)[0]!.body).get('terraform')).toMatch(
      /^### Terraform destroy plan for `staging`/,
    );
    expect(destroy.exitCode).toBe(0);
    const none = await run({
      command: 'plan',
      environment: 'prod',
      plan: path.join(fixtures, 'plan-no-changes.json'),
      eventName: 'workflow_dispatch',
      event: {},
    });
    expect(none.outputs).toMatchObject({
      changes: 'false',
      'to-add': '0',
      'to-change': '0',
      'to-destroy': '0',
    });
    expect(none.summary).toContain('**No changes.**');
  });

  it('keeps a huge plan under the comment limit and puts all of it in the summary', async () => {
    const huge = readPlan('plan-create.json');
    const template = huge.resource_changes![0]!;
    huge.resource_changes = Array.from({ length: 1500 }, (_, i) => ({
      ...template,
      address: `module.network.aws_security_group_rule.allow[${i}]`,
    }));
    const file = path.join(box.runnerTemp, 'huge.json');
    fs.writeFileSync(file, JSON.stringify(huge));
    const result = await run({
      command: 'plan',
      plan: file,
      event: pullRequestEvent('opened', 104),
    });
    expect(result.exitCode).toBe(0);
    const body = github.comments(OWNER, REPO, 104)[0]!.body;
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(body).toContain(`<!-- plan-hash:${planHash(huge)} -->`);
    expect(body).toMatch(
      /truncated to fit GitHub's 65,536-character comment limit: the full output is in the job summary/,
    );
    expect(result.summary).toContain(
      'module.network.aws_security_group_rule.allow[1499] will be created',
    );
    expect(result.summary.length).toBeGreaterThan(COMMENT_LIMIT);
  });

  it('apply with the reviewed hash applies exactly the saved plan file', async () => {
    const hash = planHash(readPlan('plan-mixed.json'));
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: {},
      inputs: { 'plan-hash': hash },
    });
    expect(result.errors).toEqual([]);
    const calls = box.calls();
    const planFile = path.join(box.runnerTemp, 'terraform', 'staging', 'staging.tfplan');
    expect(calls.map((c) => c.argv)).toContainEqual([
      'apply',
      '-input=false',
      '-no-color',
      planFile,
    ]);
    expect(result.summary).toContain(
      '**Applied** (Apply complete! Resources: 2 added, 2 changed, 3 destroyed.)',
    );
  });

  it('apply reads the reviewed hash from the merged pull request and reports there', async () => {
    await run({ command: 'plan', event: pullRequestEvent('opened', 105) });
    const sha = 'c0ffee'.padEnd(40, '0');
    github.setCommitPulls(OWNER, REPO, sha, [
      { number: 105, merged_at: '2026-11-23T22:00:00Z', state: 'closed' },
    ]);
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: {},
      env: { GITHUB_SHA: sha },
    });
    expect(result.errors).toEqual([]);
    expect(box.calls().some((c) => c.argv[0] === 'apply')).toBe(true);
    const comments = github.comments(OWNER, REPO, 105);
    expect(comments).toHaveLength(1);
    expect(parseSections(comments[0]!.body).get('terraform')).toMatch(/^\*\*Applied\*\*/);
  });

  it('apply refuses a plan that changed since review (plan-changed) and applies nothing', async () => {
    const reviewed = planHash(readPlan('plan-create.json'));
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: {},
      inputs: { 'plan-hash': reviewed },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(result.errors[0]).toMatch(
      new RegExp(`differs from the reviewed plan \\(hash ${reviewed}\\): nothing was applied`),
    );
    expect(box.calls().map((c) => c.argv[0])).toEqual(['init', 'plan', 'show']);
    expect(result.summary).toContain('Refused to apply');
  });

  it('apply without any reviewed plan fails with no-reviewed-plan', async () => {
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: {},
      env: { GITHUB_SHA: 'd'.repeat(40) },
    });
    expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
    expect(result.exitCode).toBe(1);
  });

  it('reports a locked state with the lock details (state-locked)', async () => {
    const hash = planHash(readPlan('plan-mixed.json'));
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: {},
      inputs: { 'plan-hash': hash },
      env: { TF_STAND_IN_LOCKED: 'apply' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('state-locked');
    expect(result.outputs['lock-id']).toBe('4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718');
    expect(result.errors[0]!.split('\n')).toEqual(
      expect.arrayContaining([
        '  ID:        4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718',
        '  Path:      movies-tfstate-111111111111/environments/dev/terraform.tfstate',
        '  Who:       runner@fv-az1234-567',
        '  Created:   2026-11-23 21:58:07.123456789 +0000 UTC',
      ]),
    );
    const planLocked = await run({
      command: 'plan',
      event: pullRequestEvent('opened', 106),
      env: { TF_STAND_IN_LOCKED: 'plan' },
    });
    expect(planLocked.outputs['failure-reason']).toBe('state-locked');
    const section = parseSections(github.comments(OWNER, REPO, 106)[0]!.body).get('terraform')!;
    expect(section).toMatch(/^### Terraform plan for `staging` failed/);
    expect(section).toContain('(`state-locked`): there is no plan to review');
    expect(section).toContain('ID:        4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718');
    expect(section).not.toContain('plan-hash:');
  });

  it('output writes terraform output -json to a file and masks sensitive outputs', async () => {
    const result = await run({
      command: 'output',
      environment: 'dev',
      eventName: 'push',
      event: {},
    });
    expect(result.errors).toEqual([]);
    const file = result.outputs['outputs-path']!;
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(
      JSON.parse(fs.readFileSync(path.join(fixtures, 'outputs.json'), 'utf8')),
    );
    expect(result.masked).toContain(
      'movies-dev.cluster-c1a2b3c4d5e6.eu-west-1.docdb.amazonaws.com',
    );
    expect(result.summary).toContain('- `documentdb_endpoint` (sensitive)');
    expect(box.calls().map((c) => c.argv[0])).toEqual(['init', 'output']);
  });

  it('fails clearly on bad inputs and invalid environments', async () => {
    const badCommand = await run({ command: 'deploy' });
    expect(badCommand.errors).toEqual([
      'input command must be one of plan, apply, destroy-plan, destroy, output (got "deploy")',
    ]);
    const prodFile = path.join(box.workspace, 'environments/prod/env.yaml');
    fs.writeFileSync(
      prodFile,
      fs
        .readFileSync(prodFile, 'utf8')
        .replace('nat_gateway_mode: per-az', 'nat_gateway_mode: single'),
    );
    const invalid = await run({ command: 'plan', environment: 'prod' });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.errors[0]).toContain(
      'environments/prod/env.yaml: /network/nat_gateway_mode must be "per-az" in prod',
    );
    expect(box.calls()).toEqual([]);
  });

  it('the committed dist/index.js is a fresh bundle of src/', () => {
    expect(distDifference(actionDir)).toBeNull();
  });
});
