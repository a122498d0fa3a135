import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  COMMENT_LIMIT,
  parseSections,
  renderCommentBody,
  renderReviewSection,
  upsertCommentSection,
  writeReviewCheck,
  type EndpointName,
  type ReviewRecord,
} from '@movies/actions-lib';
import {
  distDifference,
  forRepository,
  runBundledAction,
  startFakeGitHub,
  webhookExample,
  type FakeGitHub,
  type FakePull,
  readRecordedCalls,
} from '@movies/actions-lib/testing';
import { repoRoot, toolPath } from '@movies/testing';
import { GITHUB_CALLS } from './github-calls';
import { planHash, type PlanDocument } from './plan';

const actionDir = path.resolve(__dirname, '..');

// Each test runs the bundled action as a child process (1-3 s each on a busy machine).
jest.setTimeout(90_000);
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

/** A repository-shaped workspace (real environments and terraform/, an empty root) and the terraform stand-in on PATH. */
function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-action-'));
  const workspace = path.join(dir, 'repo');
  fs.cpSync(path.join(repoRoot, 'environments'), path.join(workspace, 'environments'), {
    recursive: true,
  });
  // checkov maps plan resources back to the HCL (and its skip comments) under terraform/.
  fs.cpSync(
    path.join(repoRoot, 'terraform', 'modules'),
    path.join(workspace, 'terraform', 'modules'),
    {
      recursive: true,
    },
  );
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

  /** A real pull_request payload for a pull request the fake knows. */
  const pullRequestEvent = (action: string, pull: FakePull) => {
    const event = forRepository(webhookExample('pull_request', action), OWNER, REPO);
    const payload = event.pull_request as {
      number: number;
      head: { sha: string };
      base: { sha: string; ref: string };
    };
    payload.number = pull.number;
    payload.head.sha = pull.head.sha;
    payload.base.sha = pull.base.sha;
    payload.base.ref = pull.base.ref;
    event.number = pull.number;
    return event;
  };

  /** A real push payload: main moved from `before` to `after`. */
  const pushEvent = (before: string, after: string) => {
    const event = forRepository(
      webhookExample('push', undefined, (p) => p.ref === 'refs/heads/master'),
      OWNER,
      REPO,
    );
    return Object.assign(event, { ref: 'refs/heads/main', created: false, before, after });
  };

  const run = (options: {
    command: string;
    environment?: string;
    plan?: string;
    eventName?: string;
    event?: Record<string, unknown>;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    token?: string;
  }) =>
    runBundledAction({
      actionDir,
      repository: `${OWNER}/${REPO}`,
      apiUrl: github.url,
      workspace: box.workspace,
      eventName: options.eventName ?? 'pull_request',
      event: options.event,
      timeoutMs: 60_000,
      inputs: {
        'github-token':
          options.token ?? github.tokenFor(GITHUB_CALLS[options.command as 'plan'] ?? []),
        environment: options.environment ?? 'staging',
        command: options.command,
        policy: 'off',
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

  const BOT_CALLS: EndpointName[] = [
    'issues.listComments',
    'issues.createComment',
    'issues.updateComment',
    'checks.create',
  ];

  /**
   * What the plan job leaves on a pull request for one environment: the terraform action's own
   * comment section (run for real), then the review record (section + the Actions app's check run).
   */
  async function reviewedOnPullRequest(
    pull: FakePull,
    plan = 'plan-mixed.json',
    environment = 'staging',
  ): Promise<ReviewRecord> {
    const planned = await run({
      command: 'plan',
      environment,
      plan: path.join(fixtures, plan),
      event: pullRequestEvent('opened', pull),
    });
    expect(planned.errors).toEqual([]);
    const record: ReviewRecord = {
      environment,
      head: pull.head.sha,
      base: pull.base.sha,
      terraform: planned.outputs['plan-hash']!,
      kops: 'b'.repeat(64),
      helm: 'c'.repeat(64),
    };
    const octokit = github.client(github.tokenFor(BOT_CALLS));
    await upsertCommentSection({
      octokit,
      owner: OWNER,
      repo: REPO,
      issueNumber: pull.number,
      environment,
      section: 'review',
      body: renderReviewSection(record),
    });
    await writeReviewCheck(octokit, { owner: OWNER, repo: REPO }, record, {
      conclusion: 'success',
      summary: 'recorded',
    });
    return record;
  }

  /** A pull request changing staging, planned and reviewed, then merged: its merge commit. */
  async function mergedReviewedPull(plan = 'plan-mixed.json') {
    const pull = github.openPullRequest(OWNER, REPO, { files: ['environments/staging/env.yaml'] });
    const record = await reviewedOnPullRequest(pull, plan);
    const sha = github.mergePullRequest(OWNER, REPO, pull.number);
    return { pull, record, sha };
  }

  const applyAt = (
    sha: string,
    extra: {
      plan?: string;
      inputs?: Record<string, string>;
      token?: string;
      env?: Record<string, string>;
    } = {},
  ) =>
    run({
      command: 'apply',
      eventName: 'push',
      event: pushEvent('a'.repeat(40), sha),
      env: { GITHUB_SHA: sha, ...extra.env },
      ...(extra.plan ? { plan: path.join(fixtures, extra.plan) } : {}),
      ...(extra.inputs ? { inputs: extra.inputs } : {}),
      ...(extra.token ? { token: extra.token } : {}),
    });

  it('plan: generates tfvars and backend config, runs init/plan/show, and comments the commit, counts, warnings and hash', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    const result = await run({ command: 'plan', event: pullRequestEvent('opened', pull) });
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
    expect(calls.map((c) => c.argv[0])).toEqual(['init', 'plan', 'show', 'show']);
    expect(calls.every((c) => c.cwd === workdir)).toBe(true);
    const planFile = path.join(box.runnerTemp, 'terraform', 'staging', 'staging.tfplan');
    expect(calls[1]!.argv).toEqual([
      'plan',
      '-input=false',
      '-no-color',
      '-lock-timeout=600s',
      `-out=${planFile}`,
      '-detailed-exitcode',
    ]);
    expect(calls[2]!.argv).toEqual(['show', '-json', '-no-color', planFile]);
    expect(calls[3]!.argv).toEqual(['show', '-no-color', planFile]);

    const comments = github.comments(OWNER, REPO, pull.number);
    expect(comments.map((c) => c.user.login)).toEqual(['github-actions[bot]']);
    const section = parseSections(comments[0]!.body).get('terraform')!;
    const lines = section.split('\n').filter((line) => line !== '');
    expect(lines[0]).toBe('### Terraform plan for `staging`');
    expect(lines[1]).toBe(`<!-- plan-hash:${hash} -->`);
    expect(lines[2]).toBe(
      `Planned commit \`${pull.head.sha.slice(0, 12)}\` merged onto base \`${pull.base.sha.slice(0, 12)}\`.`,
    );
    expect(lines.slice(3, 8)).toEqual([
      '> [!CAUTION]',
      '> **This plan destroys or replaces 3 resources:**',
      '> - replace `module.network.aws_subnet.private["eu-west-1a"]` (forced by `cidr_block`)',
      '> - destroy `module.network.aws_nat_gateway.this["eu-west-1b"]`',
      '> - destroy `module.network.aws_eip.nat["eu-west-1b"]`',
    ]);
    expect(section).toContain(
      '**Plan: 2 to add, 2 to change, 3 to destroy** (1 replacement) · 2 output changes',
    );
    expect(section).toContain('~     master_password = (sensitive) -> (sensitive)');
    expect(section).toContain('~     cidr_block = "10.20.64.0/19" -> "10.20.128.0/18"');
    expect(section).toMatch(
      /The full plan is the `plan-staging` artifact of \[this run\]\(https:\/\/github\.com\/movies-org\/movies-gitops\/actions\/runs\/1\)/,
    );

    for (const secret of ['old-Secret-Pa55word', 'n3w-Secret-Pa55word']) {
      expect(result.masked).toContain(secret);
      expect(comments[0]!.body).not.toContain(secret);
      expect(result.summary).not.toContain(secret);
      expect(fs.readFileSync(result.outputs['plan-path']!, 'utf8')).not.toContain(secret);
    }
    // The artifact's text plan is terraform's own rendering.
    expect(fs.readFileSync(result.outputs['plan-text-path']!, 'utf8')).toContain(
      '# module.network.aws_vpc.this update',
    );
    expect(result.summary).toContain('### Terraform plan for `staging`');
  });

  it('a second plan (synchronize) edits the same comment and keeps the other sections', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    github.addComment(
      OWNER,
      REPO,
      pull.number,
      renderCommentBody('staging', new Map([['kops', 'kOps: cluster spec unchanged']])),
    );
    const first = await run({ command: 'plan', event: pullRequestEvent('opened', pull) });
    const second = await run({
      command: 'plan',
      event: pullRequestEvent('synchronize', pull),
      plan: path.join(fixtures, 'plan-create.json'),
    });
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const comments = github.comments(OWNER, REPO, pull.number);
    expect(comments).toHaveLength(1);
    const sections = parseSections(comments[0]!.body);
    expect(sections.get('kops')).toBe('kOps: cluster spec unchanged');
    expect(sections.get('terraform')).toContain(planHash(readPlan('plan-create.json')));
    expect(sections.get('terraform')).not.toContain('CAUTION');
    const edits = github.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/issues/comments/${comments[0]!.id}`),
    );
    expect(edits).toHaveLength(2);
  });

  it('destroy-plan adds -destroy; a plan without changes says so', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    const destroy = await run({ command: 'destroy-plan', event: pullRequestEvent('opened', pull) });
    expect(box.calls()[1]!.argv).toContain('-destroy');
    expect(JSON.parse(destroy.outputs['destroyed-addresses']!)).toEqual([
      'module.network.aws_nat_gateway.this["eu-west-1b"]',
      'module.network.aws_eip.nat["eu-west-1b"]',
    ]);
    expect(
      parseSections(github.comments(OWNER, REPO, pull.number)[0]!.body).get('terraform'),
    ).toMatch(/^### Terraform destroy plan for `staging`/);
    expect(destroy.exitCode).toBe(0);
    const none = await run({
      command: 'plan',
      environment: 'prod',
      plan: path.join(fixtures, 'plan-no-changes.json'),
      eventName: 'workflow_dispatch',
      event: forRepository(webhookExample('workflow_dispatch'), OWNER, REPO),
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
    const pull = github.openPullRequest(OWNER, REPO);
    const result = await run({
      command: 'plan',
      plan: file,
      event: pullRequestEvent('opened', pull),
    });
    expect(result.exitCode).toBe(0);
    const body = github.comments(OWNER, REPO, pull.number)[0]!.body;
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(body).toContain(`<!-- plan-hash:${planHash(huge)} -->`);
    expect(body).toMatch(/truncated to fit GitHub's 65,536-character comment limit/);
    expect(result.summary).toContain(
      'module.network.aws_security_group_rule.allow[1499] will be created',
    );
  });

  it('policy: checkov checks the plan JSON and the findings reach the comment; HCL skips apply', async () => {
    const pull = github.openPullRequest(OWNER, REPO);
    const result = await run({
      command: 'plan',
      event: pullRequestEvent('opened', pull),
      inputs: { policy: 'enforce', 'checkov-path': toolPath('checkov') },
    });
    // The fixture's log group has no KMS key: enforce fails the step after commenting.
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('policy-failed');
    expect(result.errors[0]).toMatch(
      /checkov: \d+ failed check\(s\) on the staging plan: .*CKV_AWS_158/,
    );
    const section = parseSections(github.comments(OWNER, REPO, pull.number)[0]!.body).get(
      'terraform',
    )!;
    expect(section).toMatch(
      /\*\*Policy \(checkov\): \d+ failed checks?\*\* — the plan check fails/,
    );
    expect(section).toMatch(
      /\| (\[CKV_AWS_158\]\([^)]*\)|CKV_AWS_158) \| `module\.network\.aws_cloudwatch_log_group\.flow_logs\[0\]` \|/,
    );
    // terraform/modules/network skips CKV_AWS_394 with a reason: shown, not failed.
    expect(section).toMatch(
      /- CKV_AWS_394 on `module\.network\.data\.aws_availability_zones\.available`: AZs are picked/,
    );
    expect(result.outputs['policy-failures']).toMatch(/^[1-9]\d*$/);
    // The plan JSON (sensitive values in clear) does not outlive the check.
    expect(
      fs
        .readdirSync(path.join(box.runnerTemp, 'terraform', 'staging'))
        .filter((f) => f.endsWith('.json')),
    ).toEqual([]);
  });

  it('apply with a plan-hash applies exactly the saved plan file, waiting for the lock at most lock-timeout', async () => {
    const hash = planHash(readPlan('plan-mixed.json'));
    const result = await run({
      command: 'apply',
      eventName: 'workflow_dispatch',
      event: forRepository(webhookExample('workflow_dispatch'), OWNER, REPO),
      inputs: {
        'plan-hash': hash,
        'lock-timeout': '90s',
        variables: 'documentdb_deletion_protection=false',
        targets: 'module.documentdb[0].aws_docdb_cluster.this',
      },
    });
    expect(result.errors).toEqual([]);
    const planFile = path.join(box.runnerTemp, 'terraform', 'staging', 'staging.tfplan');
    expect(box.calls()[1]!.argv.slice(-2)).toEqual([
      '-var=documentdb_deletion_protection=false',
      '-target=module.documentdb[0].aws_docdb_cluster.this',
    ]);
    expect(box.calls().map((c) => c.argv)).toContainEqual([
      'apply',
      '-input=false',
      '-no-color',
      '-lock-timeout=90s',
      planFile,
    ]);
    expect(result.outputs.applied).toBe('true');
    expect(result.summary).toContain(
      '**Applied** (Apply complete! Resources: 2 added, 2 changed, 3 destroyed.)',
    );
  });

  it('apply finds the plan reviewed on the merged pull request and reports there', async () => {
    const { pull, sha } = await mergedReviewedPull();
    const result = await applyAt(sha);
    expect(result.errors).toEqual([]);
    expect(box.calls().some((c) => c.argv[0] === 'apply')).toBe(true);
    const comments = github.comments(OWNER, REPO, pull.number);
    expect(comments).toHaveLength(1);
    expect(parseSections(comments[0]!.body).get('terraform')).toMatch(/^\*\*Applied\*\*/);
  });

  it('a comment update that fails after a successful apply is a warning, not a failed deploy (defect 1)', async () => {
    const { sha } = await mergedReviewedPull();
    // The old deploy job's permissions: reading pull requests only.
    const result = await applyAt(sha, {
      token: github.token({ contents: 'read', 'pull-requests': 'read', checks: 'read' }),
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.applied).toBe('true');
    expect(result.stdout).toMatch(
      /::warning::applied, but could not update the staging comment on #\d+: Resource not accessible by integration/,
    );
  });

  describe('the reviewed plan is trusted only from the bot, for the merged pull request and its head (defect 5)', () => {
    it('refuses a hash in a comment someone else wrote', async () => {
      const pull = github.openPullRequest(OWNER, REPO, {
        files: ['environments/staging/env.yaml'],
      });
      const hash = planHash(readPlan('plan-mixed.json'));
      github.addComment(
        OWNER,
        REPO,
        pull.number,
        renderCommentBody(
          'staging',
          new Map([
            [
              'review',
              renderReviewSection({
                environment: 'staging',
                head: pull.head.sha,
                base: pull.base.sha,
                terraform: hash,
              }),
            ],
            ['terraform', `<!-- plan-hash:${hash} -->`],
          ]),
        ),
        'mallory',
      );
      const sha = github.mergePullRequest(OWNER, REPO, pull.number);
      const result = await applyAt(sha);
      expect(result.exitCode).toBe(1);
      expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
      expect(result.errors[0]).toMatch(
        new RegExp(
          `comment-not-from-bot: #${pull.number}: the staging comment is by mallory, not github-actions\\[bot\\]`,
        ),
      );
      expect(box.calls().map((c) => c.argv[0])).not.toContain('apply');
    });

    it('never falls back to an unmerged pull request that contains the commit', async () => {
      const pull = github.openPullRequest(OWNER, REPO, {
        files: ['environments/staging/env.yaml'],
      });
      await reviewedOnPullRequest(pull);
      // The pushed commit is the open pull request's head (pushed to main directly).
      const result = await applyAt(pull.head.sha);
      expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
      expect(result.errors[0]).toMatch(/no pull request was merged in that range/);
      expect(box.calls().map((c) => c.argv[0])).not.toContain('apply');
    });

    it('refuses a plan of an older head commit of the pull request', async () => {
      const pull = github.openPullRequest(OWNER, REPO, {
        files: ['environments/staging/env.yaml'],
      });
      await reviewedOnPullRequest(pull);
      // A later push whose plan never ran (or failed to post).
      const state = github.repository(OWNER, REPO);
      pull.head.sha = state.commitOn(
        pull.head.ref,
        ['environments/staging/values.yaml'],
        'later push',
      );
      const sha = github.mergePullRequest(OWNER, REPO, pull.number);
      const result = await applyAt(sha);
      expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
      expect(result.errors[0]).toMatch(
        new RegExp(
          `planned-other-commit: #${pull.number}: the staging plan shown is of commit [0-9a-f]{12}, not of the merged head ${pull.head.sha.slice(0, 12)}`,
        ),
      );
    });

    it('refuses a bot comment that someone edited after the plan', async () => {
      const { pull, sha } = await mergedReviewedPull('plan-create.json');
      // A collaborator edits the bot's comment so its hash is the fresh plan's.
      const fresh = planHash(readPlan('plan-mixed.json'));
      const comment = github.comments(OWNER, REPO, pull.number)[0]!;
      const edited = comment.body
        .replace(/plan-hash:[0-9a-f]{64}/, `plan-hash:${fresh}`)
        .replace(/"terraform":"[0-9a-f]{64}"/, `"terraform":"${fresh}"`);
      await github.client(github.userToken('alice', 'write')).rest.issues.updateComment({
        owner: OWNER,
        repo: REPO,
        comment_id: comment.id,
        body: edited,
      });
      const result = await applyAt(sha);
      expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
      expect(result.errors[0]).toMatch(
        /comment-differs-from-record: .*it was edited after the plan/,
      );
      expect(box.calls().map((c) => c.argv[0])).not.toContain('apply');
    });
  });

  it('a refresh of values the plan does not change keeps the reviewed hash valid (defect 6)', async () => {
    const { sha } = await mergedReviewedPull();
    const refreshed = readPlan('plan-mixed.json');
    const gateway = refreshed.resource_changes!.find((r) =>
      r.address.endsWith('aws_internet_gateway.this'),
    )!;
    (gateway.change.before as Record<string, unknown>).tags_all = { Owner: 'someone' };
    (gateway.change.after as Record<string, unknown>).tags_all = { Owner: 'someone' };
    const file = path.join(box.runnerTemp, 'refreshed.json');
    fs.writeFileSync(file, JSON.stringify(refreshed));
    const result = await run({
      command: 'apply',
      eventName: 'push',
      event: pushEvent('a'.repeat(40), sha),
      env: { GITHUB_SHA: sha },
      plan: file,
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.applied).toBe('true');
  });

  it('applies a plan reviewed on an earlier pull request since the last deployment (a queued merge)', async () => {
    const since = github.repository(OWNER, REPO).branches.get('main')!;
    const first = await mergedReviewedPull();
    // A later docs-only merge is the commit being deployed.
    const docs = github.openPullRequest(OWNER, REPO, { files: ['README.md'] });
    const head = github.mergePullRequest(OWNER, REPO, docs.number);
    const without = await applyAt(head);
    expect(without.outputs['failure-reason']).toBe('no-reviewed-plan');
    expect(without.errors[0]).toMatch(new RegExp(`none of #${docs.number} planned staging`));
    const result = await applyAt(head, { inputs: { 'reviewed-since': since } });
    expect(result.errors).toEqual([]);
    expect(
      parseSections(github.comments(OWNER, REPO, first.pull.number)[0]!.body).get('terraform'),
    ).toMatch(/^\*\*Applied\*\*/);
  });

  it('apply refuses a plan that changed since review (plan-changed) and applies nothing', async () => {
    const { sha } = await mergedReviewedPull('plan-create.json');
    const result = await applyAt(sha);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(result.errors[0]).toMatch(
      new RegExp(
        `differs from the reviewed plan \\(hash ${planHash(readPlan('plan-create.json'))} on #\\d+\\): nothing was applied`,
      ),
    );
    expect(box.calls().map((c) => c.argv[0])).not.toContain('apply');
    expect(result.summary).toContain('Refused to apply');
  });

  it('destroy without the reviewed destroy plan hash destroys nothing (never a merged PR plan)', async () => {
    const { sha } = await mergedReviewedPull();
    const result = await run({
      command: 'destroy',
      eventName: 'workflow_dispatch',
      event: forRepository(webhookExample('workflow_dispatch'), OWNER, REPO),
      env: { GITHUB_SHA: sha },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('no-reviewed-plan');
    expect(result.errors[0]).toMatch(/destroy applies only the destroy plan it is given/);
    expect(box.calls().map((c) => c.argv[0])).not.toContain('apply');
  });

  it('apply with nothing to change succeeds without any review', async () => {
    const result = await applyAt('d'.repeat(40), { plan: 'plan-no-changes.json' });
    expect(result.errors).toEqual([]);
    expect(result.summary).toContain('Nothing to apply.');
  });

  it('waits for a state lock held by another run, within lock-timeout (defect 7)', async () => {
    const lock = path.join(box.runnerTemp, 'state.lock');
    const hash = planHash(readPlan('plan-mixed.json'));
    const holder = run({
      command: 'apply',
      eventName: 'workflow_dispatch',
      inputs: { 'plan-hash': hash },
      env: { TF_STAND_IN_LOCK_FILE: lock, TF_STAND_IN_HOLD_MS: '3000' },
    });
    while (!fs.existsSync(lock)) await new Promise((resolve) => setTimeout(resolve, 20));
    const pull = github.openPullRequest(OWNER, REPO);
    const waiting = run({
      command: 'plan',
      event: pullRequestEvent('opened', pull),
      env: { TF_STAND_IN_LOCK_FILE: lock },
      inputs: { 'lock-timeout': '1m' },
    });
    const [held, waited] = await Promise.all([holder, waiting]);
    expect(held.errors).toEqual([]);
    expect(waited.errors).toEqual([]);
    expect(waited.outputs['plan-hash']).toBe(hash);
  });

  it('reports a lock still held after lock-timeout with the lock details (state-locked)', async () => {
    const hash = planHash(readPlan('plan-mixed.json'));
    const result = await run({
      command: 'apply',
      eventName: 'workflow_dispatch',
      inputs: { 'plan-hash': hash },
      env: { TF_STAND_IN_LOCKED: 'apply' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('state-locked');
    expect(result.outputs['lock-id']).toBe('4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718');
    expect(result.errors[0]!.split('\n')).toEqual(
      expect.arrayContaining([
        '  ID:        4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718',
        '  Who:       runner@fv-az1234-567',
      ]),
    );
    const pull = github.openPullRequest(OWNER, REPO);
    const planLocked = await run({
      command: 'plan',
      event: pullRequestEvent('opened', pull),
      env: { TF_STAND_IN_LOCKED: 'plan' },
    });
    expect(planLocked.outputs['failure-reason']).toBe('state-locked');
    const section = parseSections(github.comments(OWNER, REPO, pull.number)[0]!.body).get(
      'terraform',
    )!;
    expect(section).toMatch(/^### Terraform plan for `staging` failed/);
    expect(section).toContain('(`state-locked`): there is no plan to review');
    expect(section).not.toContain('plan-hash:');
  });

  it('output writes terraform output -json to a file and masks sensitive outputs', async () => {
    const result = await run({ command: 'output', environment: 'dev', eventName: 'push' });
    expect(result.errors).toEqual([]);
    const file = result.outputs['outputs-path']!;
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(
      JSON.parse(fs.readFileSync(path.join(fixtures, 'outputs.json'), 'utf8')),
    );
    expect(result.outputs.empty).toBe('false');
    expect(result.masked).toContain(
      'movies-dev.cluster-c1a2b3c4d5e6.eu-west-1.docdb.amazonaws.com',
    );
    expect(result.summary).toContain('- `documentdb_endpoint` (sensitive)');
    expect(box.calls().map((c) => c.argv[0])).toEqual(['init', 'output']);
    const emptyFile = path.join(box.runnerTemp, 'empty.json');
    fs.writeFileSync(emptyFile, '{}\n');
    const empty = await run({
      command: 'output',
      environment: 'dev',
      eventName: 'push',
      env: { TF_STAND_IN_OUTPUTS: emptyFile },
    });
    expect(empty.outputs.empty).toBe('true');
    expect(empty.summary).toContain('the state is empty');
  });

  it('fails clearly on bad inputs and invalid environments', async () => {
    const badCommand = await run({ command: 'deploy' });
    expect(badCommand.errors).toEqual([
      'input command must be one of plan, apply, destroy-plan, destroy, output (got "deploy")',
    ]);
    const badSince = await run({ command: 'apply', inputs: { 'reviewed-since': 'main' } });
    expect(badSince.errors).toEqual([
      'input reviewed-since must be a 40-hex commit sha, got "main"',
    ]);
    const badTimeout = await run({ command: 'plan', inputs: { 'lock-timeout': 'soon' } });
    expect(badTimeout.errors[0]).toMatch(/input lock-timeout: "soon" is not a duration/);
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
