import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { EnvConfig } from '@movies/actions-lib';
import { startFakeAws, toolPath, type AwsCall, type FakeAws } from '@movies/testing';
import type { KopsTarget } from '../kops';
import { renderCluster, toManifestYaml, type RenderedCluster } from '../manifest';
import type { NetworkOutputs } from '../terraformOutputs';

/** The Ubuntu 24.04 image kOps 1.33's stable channel names for Kubernetes ≥ 1.32 (Canonical's account). */
export const CANONICAL_ACCOUNT = '099720109477';
export const NOBLE_IMAGE = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250610';

/** The tags terraform/environment's provider default_tags put on everything it creates. */
export function terraformDefaultTags(environment: string): Record<string, string> {
  return { project: 'movies', environment, 'managed-by': 'terraform' };
}

export interface KopsOfflineRun {
  aws: FakeAws;
  outputs: NetworkOutputs;
  rendered: RenderedCluster;
  dir: string;
  /** The environment the real kops runs with (fake AWS, local assets, no other network). */
  env: NodeJS.ProcessEnv;
  /** For the action's Kops class: the real kops against this cluster's state store. */
  target: KopsTarget;
  /** Runs the real kops with the state store and AWS on loopback; never throws on a non-zero exit. */
  kops(args: string[]): Promise<{ status: number | null; stdout: string; output: string }>;
  /** Runs the real kops and throws with the end of its output unless it exits 0. */
  kopsOk(args: string[]): Promise<string>;
  /** `kops update cluster --target=terraform`: the directory with kubernetes.tf and data/. */
  terraformModel(): Promise<string>;
  /** The calls kops made since `mark()`. */
  callsSince(mark: number): AwsCall[];
  stop(): Promise<void>;
}

function tagSpecification(type: string, tags: Record<string, string>): Record<string, string> {
  const form: Record<string, string> = { 'TagSpecification.1.ResourceType': type };
  Object.entries(tags).forEach(([key, value], i) => {
    form[`TagSpecification.1.Tag.${i + 1}.Key`] = key;
    form[`TagSpecification.1.Tag.${i + 1}.Value`] = value;
  });
  return form;
}

function xmlValue(xml: string, element: string): string {
  const match = new RegExp(`<${element}>([^<]+)</${element}>`).exec(xml);
  if (!match) throw new Error(`fake AWS setup: no <${element}> in ${xml.slice(0, 300)}`);
  return match[1]!;
}

/**
 * What terraform/environment would have created before kOps runs, made in the fake AWS with
 * Terraform's tags (default tags, the shared cluster tag, the subnet role tags), and the outputs
 * it would print. These calls are recorded like kOps' own.
 */
async function seedNetwork(aws: FakeAws, env: EnvConfig): Promise<NetworkOutputs> {
  const tags = terraformDefaultTags(env.name);
  const clusterTag = { [`kubernetes.io/cluster/${env.cluster.name}`]: 'shared' };
  const ec2 = (form: Record<string, string>) =>
    aws.request('ec2', { form: { Version: '2016-11-15', ...form } });
  const zonesXml = await ec2({ Action: 'DescribeAvailabilityZones' });
  const zones = [...zonesXml.matchAll(/<zoneName>([^<]+)<\/zoneName>/g)].map((m) => m[1]!).sort();
  const azs = zones.slice(0, env.network.az_count);
  const [a, b] = env.network.vpc_cidr.split('.');
  const vpcId = xmlValue(
    await ec2({
      Action: 'CreateVpc',
      CidrBlock: env.network.vpc_cidr,
      ...tagSpecification('vpc', { ...tags, ...clusterTag, Name: `movies-${env.name}` }),
    }),
    'vpcId',
  );
  const privateSubnetIds: Record<string, string> = {};
  const publicSubnetIds: Record<string, string> = {};
  const privateSubnetCidrs: Record<string, string> = {};
  const publicSubnetCidrs: Record<string, string> = {};
  for (const [i, az] of azs.entries()) {
    privateSubnetCidrs[az] = `${a}.${b}.${i * 16}.0/20`;
    publicSubnetCidrs[az] = `${a}.${b}.${240 + i}.0/24`;
    privateSubnetIds[az] = xmlValue(
      await ec2({
        Action: 'CreateSubnet',
        VpcId: vpcId,
        AvailabilityZone: az,
        CidrBlock: privateSubnetCidrs[az],
        ...tagSpecification('subnet', {
          ...tags,
          ...clusterTag,
          Name: `movies-${env.name}-private-${az}`,
          SubnetType: 'Private',
          'kubernetes.io/role/internal-elb': '1',
        }),
      }),
      'subnetId',
    );
    publicSubnetIds[az] = xmlValue(
      await ec2({
        Action: 'CreateSubnet',
        VpcId: vpcId,
        AvailabilityZone: az,
        CidrBlock: publicSubnetCidrs[az],
        ...tagSpecification('subnet', {
          ...tags,
          ...clusterTag,
          Name: `movies-${env.name}-utility-${az}`,
          SubnetType: 'Utility',
          'kubernetes.io/role/elb': '1',
        }),
      }),
      'subnetId',
    );
  }
  // The EBS key (modules/kms-key) and, with DocumentDB, its clients' security group.
  const key = JSON.parse(
    await aws.request('kms', {
      target: 'TrentService.CreateKey',
      json: {
        Description: `movies-${env.name} EBS volumes of the kOps cluster`,
        Tags: Object.entries({ ...tags, Name: `movies-${env.name}-ebs` }).map(
          ([TagKey, TagValue]) => ({ TagKey, TagValue }),
        ),
      },
    }),
  ) as { KeyMetadata: { Arn: string } };
  const documentdbClientSecurityGroupId =
    env.mongodb.mode === 'external'
      ? xmlValue(
          await ec2({
            Action: 'CreateSecurityGroup',
            VpcId: vpcId,
            GroupName: `movies-${env.name}-docdb-clients`,
            GroupDescription: `Members may connect to the movies-${env.name} DocumentDB cluster`,
            ...tagSpecification('security-group', {
              ...tags,
              Name: `movies-${env.name}-docdb-clients`,
            }),
          }),
          'groupId',
        )
      : undefined;
  const bucket = `movies-kops-state-${aws.accountId}-${env.name}`;
  await aws.request('s3', {
    method: 'PUT',
    path: `/${bucket}`,
    body: `<CreateBucketConfiguration><LocationConstraint>${aws.region}</LocationConstraint></CreateBucketConfiguration>`,
  });
  return {
    vpcId,
    vpcCidr: env.network.vpc_cidr,
    azs,
    privateSubnetIds,
    publicSubnetIds,
    privateSubnetCidrs,
    publicSubnetCidrs,
    natGatewayIds: [],
    kopsStateStore: `s3://${bucket}`,
    clusterName: env.cluster.name,
    region: aws.region,
    kopsPermissionsBoundaryArn: `arn:aws:iam::${aws.accountId}:policy/movies-kops-boundary-${env.name}`,
    ebsKmsKeyArn: key.KeyMetadata.Arn,
    ...(documentdbClientSecurityGroupId ? { documentdbClientSecurityGroupId } : {}),
  };
}

/**
 * kOps' asset base (KOPS_BASE_URL) on loopback: kOps only needs each binary's .sha256 to build
 * the nodeup configuration; every such file gets a stable fake hash, anything else is a 404.
 */
async function startAssetServer(): Promise<{
  url: string;
  requested: string[];
  stop(): Promise<void>;
}> {
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    if (req.url?.endsWith('.sha256')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${createHash('sha256').update(req.url).digest('hex')}\n`);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kops/1.33.1/`,
    requested,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The part of kOps' stable channel a cluster on Kubernetes 1.32 with the default image needs. */
function channelFile(dir: string): string {
  const file = path.join(dir, 'channel.yaml');
  fs.writeFileSync(
    file,
    YAML.stringify({
      spec: {
        images: [
          {
            name: `${CANONICAL_ACCOUNT}/${NOBLE_IMAGE}`,
            providerID: 'aws',
            architectureID: 'amd64',
            kubernetesVersion: '>=1.32.0',
          },
        ],
        kubernetesVersions: [
          { range: '>=1.32.0', recommendedVersion: '1.32.4', requiredVersion: '1.32.0' },
        ],
        kopsVersions: [
          { range: '>=1.32.0-alpha.1', recommendedVersion: '1.33.1', kubernetesVersion: '1.32.4' },
        ],
      },
    }),
  );
  return file;
}

export interface KopsOfflineOptions {
  env: EnvConfig;
  /** Changes to the rendered model before it is written (e.g. a test breaking it). */
  edit?: (rendered: RenderedCluster) => void;
}

/**
 * Everything the real kops needs to build an environment's full model offline: moto as EC2,
 * IAM, S3 (the state store), Auto Scaling, ELBv2, SQS, EventBridge and STS behind a recording
 * proxy, the network Terraform would have made, a local asset base and channel, and the
 * rendered manifest (with the channel pointing at the local copy). `kops create -f` has run.
 */
export async function startKopsOffline(options: KopsOfflineOptions): Promise<KopsOfflineRun> {
  const { env } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kops-offline-${env.name}-`));
  const aws = await startFakeAws({
    region: env.aws.region,
    accountId: env.aws.account_id,
    amis: [{ ami_id: 'ami-0a1b2c3d4e5f60718', owner_id: CANONICAL_ACCOUNT, name: NOBLE_IMAGE }],
  });
  const assets = await startAssetServer();
  const stopAll = async () => {
    await assets.stop();
    await aws.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const outputs = await seedNetwork(aws, env);
    const rendered = renderCluster(env, outputs);
    rendered.cluster.spec.channel = `file://${channelFile(dir)}`;
    options.edit?.(rendered);
    const manifest = path.join(dir, 'manifest.yaml');
    fs.writeFileSync(manifest, toManifestYaml(rendered));
    const processEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...aws.env,
      HOME: dir,
      KOPS_STATE_STORE: outputs.kopsStateStore,
      KOPS_BASE_URL: assets.url,
      // Anything that is not the fake AWS or the asset server (image registries) fails at once.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
    };
    const kops: KopsOfflineRun['kops'] = (args) =>
      new Promise((resolve) => {
        const child = spawn(toolPath('kops'), args, {
          env: processEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout, output: `${stdout}${stderr}` }));
      });
    const kopsOk = async (args: string[]) => {
      const result = await kops(args);
      if (result.status !== 0)
        throw new Error(
          `kops ${args.join(' ')} failed (${result.status}):\n${result.output.slice(-4000)}`,
        );
      return result.output;
    };
    await kopsOk(['create', '-f', manifest]);
    const terraformModel = async () => {
      const out = path.join(dir, 'terraform');
      await kopsOk([
        'update',
        'cluster',
        '--name',
        env.cluster.name,
        '--target=terraform',
        '--out',
        out,
      ]);
      return out;
    };
    return {
      aws,
      outputs,
      rendered,
      dir,
      env: processEnv,
      target: {
        kops: toolPath('kops'),
        clusterName: env.cluster.name,
        stateStore: outputs.kopsStateStore,
        env: processEnv,
      },
      kops,
      kopsOk,
      terraformModel,
      callsSince: (mark) => aws.calls.slice(mark),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
