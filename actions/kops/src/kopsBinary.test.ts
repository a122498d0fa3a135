import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { environmentFolders, loadEnvironment } from '@movies/actions-lib';
import { runBundledAction } from '@movies/actions-lib/testing';
import { repoRoot, toolPath } from '@movies/testing';
import { startFakeEc2, type FakeEc2 } from './__fixtures__/fakeEc2';
import { renderCluster, toManifestYaml } from './manifest';
import { readTerraformOutputs, type NetworkOutputs } from './terraformOutputs';

jest.setTimeout(240_000);

const actionDir = path.resolve(__dirname, '..');

/** The subnet CIDRs terraform/modules/network gives a /16: private /20s from the start, public /24s in the last /20. */
function subnetCidrs(outputs: NetworkOutputs): Array<{ id: string; az: string; cidr: string }> {
  const [a, b] = outputs.vpcCidr.split('.');
  return outputs.azs.flatMap((az, i) => [
    { id: outputs.privateSubnetIds[az]!, az, cidr: `${a}.${b}.${i * 16}.0/20` },
    { id: outputs.publicSubnetIds[az]!, az, cidr: `${a}.${b}.${240 + i}.0/24` },
  ]);
}

/**
 * Runs the real kops with a file:// state store and EC2 answered by the loopback fake; a proxy
 * on a closed loopback port makes any other outbound call fail at once instead of leaving the machine.
 */
async function kops(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; output: string }> {
  // Asynchronous: the fake EC2 answers from this process's event loop.
  const child = spawn(toolPath('kops'), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, output: `${stdout}${stderr}` };
}

describe.each(environmentFolders(repoRoot))(
  'the real kops (v1.33.1) accepts the %s manifests',
  (name) => {
    let dir: string;
    let ec2: FakeEc2;
    let env: NodeJS.ProcessEnv;
    let outputs: NetworkOutputs;
    let stateStore: string;
    const { env: config } = loadEnvironment(repoRoot, name);

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `kops-${name}-`));
      stateStore = `file://${dir}/state`;
      outputs = {
        ...readTerraformOutputs(
          path.join(__dirname, '__fixtures__', 'terraform-outputs', `${name}.json`),
        ),
        kopsStateStore: stateStore,
      };
      ec2 = await startFakeEc2({
        region: outputs.region,
        azs: outputs.azs,
        vpcId: outputs.vpcId,
        vpcCidr: outputs.vpcCidr,
        subnets: subnetCidrs(outputs),
      });
      env = {
        HOME: dir,
        KOPS_STATE_STORE: stateStore,
        AWS_REGION: outputs.region,
        AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
        AWS_SECRET_ACCESS_KEY: 'test-only-not-a-secret',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_EC2: ec2.url,
        HTTPS_PROXY: 'http://127.0.0.1:9',
        HTTP_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1',
      };
    });
    afterAll(async () => {
      await ec2?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('kops create -f stores the cluster and every instance group after its API validation', async () => {
      const rendered = renderCluster(config, outputs);
      const manifest = path.join(dir, 'manifest.yaml');
      fs.writeFileSync(manifest, toManifestYaml(rendered));
      const created = await kops(['create', '-f', manifest, '--state', stateStore], env);
      expect(created.output).toContain(`Created cluster/${config.cluster.name}`);
      for (const ig of rendered.instanceGroups)
        expect(created.output).toContain(`Created instancegroup/${ig.metadata.name}`);
      expect(created.status).toBe(0);

      const stored = await kops(
        ['get', 'cluster', '--name', config.cluster.name, '-o', 'yaml', '--state', stateStore],
        env,
      );
      expect(stored.status).toBe(0);
      const cluster = YAML.parse(stored.stdout) as {
        spec: { subnets: Array<{ id: string; cidr?: string }> };
      };
      // kOps looked the shared subnets up by id (in the fake EC2) and filled in their CIDRs.
      expect(cluster.spec.subnets.map((s) => [s.id, s.cidr])).toEqual(
        (rendered.cluster.spec.subnets as Array<{ id: string; zone: string; type: string }>).map(
          (s) => [s.id, subnetCidrs(outputs).find((c) => c.id === s.id)!.cidr],
        ),
      );
    });

    it('the action diff against that state store shows no changes (the render round-trips)', async () => {
      const outputsFile = path.join(__dirname, '__fixtures__', 'terraform-outputs', `${name}.json`);
      const result = await runBundledAction({
        actionDir,
        workspace: repoRoot,
        inputs: {
          command: 'diff',
          environment: name,
          'terraform-outputs': outputsFile,
          'state-store': stateStore,
          'kops-path': toolPath('kops'),
          'output-dir': dir,
        },
        env: env as Record<string, string>,
        eventName: 'push',
        timeoutMs: 90_000,
      });
      expect(result.errors).toEqual([]);
      expect(result.summary).toContain(`No changes to cluster \`${config.cluster.name}\`.`);
      expect(result.outputs['has-changes']).toBe('false');
    });
  },
);

describe('the real kops rejects what it should', () => {
  it('a secure metrics-server without cert-manager (kOps API validation)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kops-bad-'));
    const { env: config } = loadEnvironment(repoRoot, 'dev');
    const outputs = {
      ...readTerraformOutputs(
        path.join(__dirname, '__fixtures__', 'terraform-outputs', 'dev.json'),
      ),
      kopsStateStore: `file://${dir}/state`,
    };
    const ec2 = await startFakeEc2({
      region: outputs.region,
      azs: outputs.azs,
      vpcId: outputs.vpcId,
      vpcCidr: outputs.vpcCidr,
      subnets: subnetCidrs(outputs),
    });
    try {
      const rendered = renderCluster(config, outputs);
      delete rendered.cluster.spec.certManager;
      fs.writeFileSync(path.join(dir, 'bad.yaml'), toManifestYaml(rendered));
      const result = await kops(
        ['create', '-f', path.join(dir, 'bad.yaml'), '--state', outputs.kopsStateStore],
        {
          HOME: dir,
          AWS_REGION: outputs.region,
          AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
          AWS_SECRET_ACCESS_KEY: 'test-only-not-a-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_EC2: ec2.url,
          HTTPS_PROXY: 'http://127.0.0.1:9',
          HTTP_PROXY: 'http://127.0.0.1:9',
        },
      );
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(
        /spec.metricsServer.insecure: Forbidden: Secure metrics server requires that cert manager is enabled/,
      );
    } finally {
      await ec2.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
