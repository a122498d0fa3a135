import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  createEnvironmentWorkspace,
  environmentConfig,
  type EnvironmentWorkspace,
} from '@movies/actions-lib/testing/environment-workspace';
import { runBundledAction, startFakeGitHub, type FakeGitHub } from '@movies/actions-lib/testing';
import { GITHUB_CALLS } from './github-calls';
import type { KopsCommand } from './inputs';
import { writeKopsStandIn } from './__fixtures__/kopsStandIn';

jest.setTimeout(90_000);

const actionDir = path.resolve(__dirname, '..');

describe('kops action (bundled, as the runner runs it)', () => {
  let github: FakeGitHub;
  let workspace: EnvironmentWorkspace;
  let scratch: string;
  let outputsFile: string;
  let kops: ReturnType<typeof writeKopsStandIn>;

  beforeAll(async () => {
    github = await startFakeGitHub();
    workspace = createEnvironmentWorkspace();
  });
  afterAll(async () => {
    await github.stop();
    workspace.remove();
  });
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kops-action-'));
    const env = environmentConfig('dev');
    workspace.write('dev', { env });
    outputsFile = path.join(scratch, 'outputs.json');
    fs.copyFileSync(
      path.join(__dirname, '__fixtures__', 'terraform-outputs', 'dev.json'),
      outputsFile,
    );
    kops = writeKopsStandIn(scratch);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const run = (
    inputs: Record<string, string>,
    extra: { event?: Record<string, unknown>; eventName?: string } = {},
  ) =>
    runBundledAction({
      actionDir,
      workspace: workspace.root,
      apiUrl: github.url,
      inputs: {
        environment: 'dev',
        'terraform-outputs': outputsFile,
        'kops-path': kops.path,
        'output-dir': scratch,
        'github-token': github.tokenFor(GITHUB_CALLS[inputs.command as KopsCommand] ?? []),
        ...inputs,
      },
      timeoutMs: 60_000,
      ...extra,
    });

  const argvs = () => kops.calls().map((call) => call.argv.join(' '));
  const state = '--state s3://movies-kops-state-111111111111-dev';

  it('render writes the manifest and summarises the instance groups', async () => {
    const result = await run({ command: 'render' });
    expect(result.errors).toEqual([]);
    const manifestPath = result.outputs['manifest-path']!;
    expect(manifestPath).toBe(path.join(scratch, 'dev.movies.k8s.local.yaml'));
    const docs = YAML.parseAllDocuments(fs.readFileSync(manifestPath, 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Cluster/dev.movies.k8s.local',
      'InstanceGroup/control-plane-eu-west-1a',
      'InstanceGroup/nodes-eu-west-1a',
      'InstanceGroup/nodes-eu-west-1b',
    ]);
    expect(result.summary).toContain('| nodes-eu-west-1b | Node | t3.medium | 1–2 | eu-west-1b |');
    expect(kops.calls()).toEqual([]);
  });

  it('diff on a pull request says the cluster will be created and posts the kops section', async () => {
    github.openPullRequest('movies-org', 'movies-gitops', { number: 5 });
    const event = { pull_request: { number: 5 } };
    const result = await run({ command: 'diff' }, { eventName: 'pull_request', event });
    expect(result.errors).toEqual([]);
    expect(result.outputs['has-changes']).toBe('true');
    expect(argvs()).toEqual([`get cluster --name dev.movies.k8s.local -o yaml ${state}`]);
    expect(kops.calls()[0]!.stateEnv).toBe('s3://movies-kops-state-111111111111-dev');
    const [comment] = github.comments('movies-org', 'movies-gitops', 5);
    expect(comment!.body).toContain('<!-- section:kops -->');
    expect(comment!.body).toContain(
      'Cluster `dev.movies.k8s.local` does not exist yet: it will be **created**.',
    );
  });

  it('apply creates a new cluster, previews, then updates (no rolling update for new instances)', async () => {
    const result = await run({ command: 'apply' });
    expect(result.errors).toEqual([]);
    const manifest = path.join(scratch, 'dev.movies.k8s.local.yaml');
    expect(argvs()).toEqual([
      `get cluster --name dev.movies.k8s.local -o yaml ${state}`,
      `create -f ${manifest} ${state}`,
      // spec.encryptionConfig: the etcd key exists before the first update.
      expect.stringMatching(
        new RegExp(
          `^create secret encryptionconfig --name dev.movies.k8s.local -f \\S+/encryptionconfig.yaml ${state}$`,
        ),
      ),
      `update cluster --name dev.movies.k8s.local ${state}`,
      `update cluster --name dev.movies.k8s.local --yes ${state}`,
    ]);
    const config = kops.encryptionConfig()!;
    expect(config).toMatch(/kind: EncryptionConfiguration/);
    const key = /secret: (\S+)/.exec(config)![1]!;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    // The key never reaches the log, and its scratch file is gone.
    expect(result.stdout).not.toContain(key);
    expect(fs.readdirSync(scratch).filter((f) => f.startsWith('encryption-'))).toEqual([]);
  });

  it('apply keeps the etcd encryption key of an existing cluster', async () => {
    await run({ command: 'apply' });
    const first = kops.encryptionConfig();
    const result = await run({ command: 'apply' });
    expect(result.errors).toEqual([]);
    expect(kops.encryptionConfig()).toBe(first);
  });

  it('apply shows the change first, replaces, deletes dropped groups and rolls the nodes', async () => {
    // The stored cluster: what the render gave before node group "old" was dropped and max grew.
    await run({ command: 'render' });
    const manifest = path.join(scratch, 'dev.movies.k8s.local.yaml');
    const stored = fs
      .readFileSync(manifest, 'utf8')
      .replace('maxSize: 2', 'maxSize: 1')
      .concat(
        '---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: old-eu-west-1a\n  creationTimestamp: "2026-01-01T00:00:00Z"\nspec:\n  role: Node\n',
      );
    kops.storeState(stored);

    const result = await run({ command: 'apply' });
    expect(result.errors).toEqual([]);
    const calls = argvs();
    expect(calls.slice(2)).toEqual([
      `replace -f ${manifest} --force ${state}`,
      expect.stringMatching(/^create secret encryptionconfig /),
      `delete instancegroup old-eu-west-1a --name dev.movies.k8s.local --yes ${state}`,
      `update cluster --name dev.movies.k8s.local ${state}`,
      `update cluster --name dev.movies.k8s.local --yes ${state}`,
      expect.stringMatching(
        new RegExp(
          `^export kubeconfig --name dev.movies.k8s.local --admin=1h --kubeconfig \\S+/kubeconfig ${state}$`,
        ),
      ),
      `rolling-update cluster --name dev.movies.k8s.local --yes ${state}`,
    ]);
    const rolling = kops.calls().at(-1)!;
    expect(rolling.kubeconfigEnv).toMatch(/kubeconfig$/);
    // Printed before anything changed:
    const printed = result.stdout;
    expect(printed).toMatch(/^- +maxSize: 1$/m);
    expect(printed).toMatch(/^\+ +maxSize: 2$/m);
    expect(printed.search(/^\+ +maxSize: 2$/m)).toBeLessThan(printed.indexOf('stored'));
    expect(printed.indexOf('instance groups to delete: old-eu-west-1a')).toBeLessThan(
      printed.indexOf('stored'),
    );
    expect(result.summary).toContain('**Instance groups to delete:** `old-eu-west-1a`');
  });

  it('diff shows no changes when the state store holds the render', async () => {
    await run({ command: 'render' });
    kops.storeState(fs.readFileSync(path.join(scratch, 'dev.movies.k8s.local.yaml'), 'utf8'));
    const result = await run({ command: 'diff' });
    expect(result.outputs['has-changes']).toBe('false');
    expect(result.summary).toContain('No changes to cluster `dev.movies.k8s.local`.');
  });

  it('validate exports an admin kubeconfig and waits', async () => {
    const kubeconfig = path.join(scratch, 'kc');
    const result = await run({ command: 'validate', kubeconfig, 'validate-timeout': '20m' });
    expect(result.errors).toEqual([]);
    expect(argvs()).toEqual([
      `export kubeconfig --name dev.movies.k8s.local --admin=1h --kubeconfig ${kubeconfig} ${state}`,
      `validate cluster --name dev.movies.k8s.local --wait 20m --kubeconfig ${kubeconfig} ${state}`,
    ]);
  });

  it('export-kubeconfig writes the file and outputs its path; the state store input wins', async () => {
    const kubeconfig = path.join(scratch, 'sub', 'kubeconfig');
    const result = await run({
      command: 'export-kubeconfig',
      kubeconfig,
      'admin-ttl': '30m',
      'state-store': 's3://other',
      'terraform-outputs': '',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.kubeconfig).toBe(kubeconfig);
    expect(fs.existsSync(kubeconfig)).toBe(true);
    expect(argvs()).toEqual([
      `export kubeconfig --name dev.movies.k8s.local --admin=30m --kubeconfig ${kubeconfig} --state s3://other`,
    ]);
  });

  it('delete runs only when confirm-delete names the cluster', async () => {
    const refused = await run({ command: 'delete', 'confirm-delete': 'dev' });
    expect(refused.exitCode).toBe(1);
    expect(refused.errors.join('\n')).toMatch(
      /input confirm-delete must equal the cluster name "dev.movies.k8s.local"/,
    );
    expect(kops.calls()).toEqual([]);
    const done = await run({ command: 'delete', 'confirm-delete': 'dev.movies.k8s.local' });
    expect(done.errors).toEqual([]);
    expect(argvs()).toEqual([`delete cluster --name dev.movies.k8s.local --yes ${state}`]);
  });

  describe('bad input names the problem', () => {
    it.each([
      [
        'a missing outputs file',
        () => fs.rmSync(outputsFile),
        /terraform-outputs: cannot read .*outputs.json \(ENOENT\)/,
      ],
      [
        'an outputs file without a key',
        () => {
          const json = JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as Record<string, unknown>;
          delete json.kops_state_store;
          fs.writeFileSync(outputsFile, JSON.stringify(json));
        },
        /output "kops_state_store" is missing/,
      ],
      [
        'a subnet missing for an AZ the environment uses',
        () => {
          const json = JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as {
            public_subnet_ids: { value: Record<string, string> };
          };
          delete json.public_subnet_ids.value['eu-west-1b'];
          fs.writeFileSync(outputsFile, JSON.stringify(json));
        },
        /public_subnet_ids has no subnet for availability zone eu-west-1b/,
      ],
      [
        'a node group with min > max',
        () =>
          workspace.write('dev', {
            env: environmentConfig('dev', {
              cluster: {
                ...environmentConfig('dev').cluster,
                node_groups: [
                  { name: 'nodes', instance_type: 't3.medium', min: 4, max: 2, spot: false },
                ],
              },
            }),
          }),
        /node_groups\/0\/min must be <= max \(4 > 2\)/,
      ],
    ])('%s', async (_name, breakIt, message) => {
      breakIt();
      const result = await run({ command: 'apply' });
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(message);
      expect(kops.calls()).toEqual([]);
    });

    it('an unknown command', async () => {
      const result = await run({ command: 'upgrade' });
      expect(result.errors.join('\n')).toMatch(
        /input command: "upgrade" is not one of render, diff, apply/,
      );
    });
  });
});
