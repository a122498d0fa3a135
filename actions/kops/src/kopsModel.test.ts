// The full cloud model the real kops builds from each environment's render, offline: moto as
// EC2/IAM/S3/Auto Scaling/ELB/SQS/EventBridge behind a recording proxy, the network Terraform
// would have made, a local asset base (KOPS_BASE_URL) and channel. `kops update cluster
// --target=terraform` writes every AWS resource kOps would create; the assertions read that,
// not our own YAML.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { environmentFolders, loadEnvironment } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import YAML from 'yaml';
import { startKopsOffline, type KopsOfflineRun } from './__fixtures__/kopsOffline';
import { Kops } from './kops';
import { spotInstanceTypes } from './manifest';

jest.setTimeout(300_000);

type Block = Record<string, unknown>;
type Resources = Record<string, Record<string, Block[]>>;

/** hcl2json keeps every block as a list; resources of one type by name, first block of each. */
function resourcesOf(model: Resources, type: string): Record<string, Block> {
  return Object.fromEntries(
    Object.entries(model[type] ?? {}).map(([name, blocks]) => [name, blocks[0]!]),
  );
}

function first<T = Block>(value: unknown): T {
  return (Array.isArray(value) ? value[0] : value) as T;
}

describe.each(environmentFolders(repoRoot))('the full kOps model of %s', (name) => {
  const { env } = loadEnvironment(repoRoot, name);
  let run: KopsOfflineRun;
  let model: Resources;
  let data: string;
  let created: boolean[];

  beforeAll(async () => {
    run = await startKopsOffline({ env });
    const kops = new Kops(run.target);
    created = [
      await kops.ensureEncryptionConfig(run.dir),
      await kops.ensureEncryptionConfig(run.dir),
    ];
    const out = await run.terraformModel();
    const parsed = (await parse(
      'kubernetes.tf',
      fs.readFileSync(path.join(out, 'kubernetes.tf'), 'utf8'),
    )) as { resource: Resources };
    model = parsed.resource;
    data = path.join(out, 'data');
  });
  afterAll(() => run?.stop());

  const dataFile = (file: string) => fs.readFileSync(path.join(data, file), 'utf8');

  it('creates the etcd encryption key once (a second apply keeps it)', () => {
    expect(created).toEqual([true, false]);
    for (const ig of run.rendered.instanceGroups.filter((g) => g.spec.role === 'Master')) {
      const nodeup = YAML.parse(dataFile(`aws_s3_object_nodeupconfig-${ig.metadata.name}_content`));
      // nodeup writes the API server's --encryption-provider-config from this secret.
      expect(nodeup.APIServerConfig.EncryptionConfigSecretHash).toMatch(/^[A-Za-z0-9_=-]{40,}$/);
    }
  });

  it('caps every IAM role kOps creates with the cluster boundary', () => {
    const roles = Object.values(resourcesOf(model, 'aws_iam_role'));
    expect(roles.map((role) => role.name).sort()).toEqual([
      `masters.${env.cluster.name}`,
      `nodes.${env.cluster.name}`,
    ]);
    for (const role of roles)
      expect(role.permissions_boundary).toBe(run.outputs.kopsPermissionsBoundaryArn);
  });

  it('gives the instance roles no IAM, STS or Secrets Manager action', () => {
    const policies = fs.readdirSync(data).filter((f) => f.startsWith('aws_iam_role_policy_'));
    expect(policies.length).toBe(env.cluster.ssm_access ? 4 : 2);
    for (const file of policies) {
      const document = JSON.parse(dataFile(file)) as {
        Statement: Array<{ Effect: string; Action: string | string[] }>;
      };
      const actions = document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
        [s.Action].flat(),
      );
      const forbidden = actions.filter(
        (action) =>
          /^(sts|secretsmanager):/.test(action) ||
          (/^iam:/.test(action) &&
            !['iam:GetServerCertificate', 'iam:ListServerCertificates'].includes(action) &&
            action !== 'iam:CreateServiceLinkedRole'),
      );
      expect([file, forbidden]).toEqual([file, []]);
    }
  });

  it('tags every taggable resource with the project and environment', () => {
    const taggable = [
      'aws_iam_role',
      'aws_security_group',
      'aws_launch_template',
      'aws_ebs_volume',
      'aws_lb',
      'aws_lb_target_group',
      'aws_sqs_queue',
      'aws_cloudwatch_event_rule',
    ];
    for (const type of taggable)
      for (const [resource, block] of Object.entries(resourcesOf(model, type)))
        expect([type, resource, first(block.tags)]).toEqual([
          type,
          resource,
          expect.objectContaining({ project: 'movies', environment: name }),
        ]);
  });

  it('opens the API only to api_access, and nothing to SSH', () => {
    const rules = Object.entries(resourcesOf(model, 'aws_security_group_rule'));
    const fromOutside = rules.filter(
      ([, rule]) => rule.type === 'ingress' && (rule.cidr_blocks || rule.ipv6_cidr_blocks),
    );
    expect(fromOutside.length).toBeGreaterThan(0);
    for (const [resource, rule] of fromOutside) {
      expect([resource, rule.cidr_blocks]).toEqual([resource, env.cluster.api_access]);
      // HTTPS to the API load balancer, or ICMP path-MTU discovery from the same addresses.
      expect(
        (rule.from_port === 443 && rule.to_port === 443 && rule.protocol === 'tcp') ||
          rule.protocol === 'icmp',
      ).toBe(true);
    }
    // Port 22 is reachable only inside the cluster (node and control-plane groups to each other).
    for (const [resource, rule] of rules) {
      const from = Number(rule.from_port);
      const to = Number(rule.to_port);
      if (rule.type === 'ingress' && from <= 22 && (22 <= to || to === 0))
        expect([resource, rule.source_security_group_id]).toEqual([resource, expect.any(String)]);
    }
    if (name === 'prod')
      for (const [resource, rule] of fromOutside)
        expect([resource, rule.cidr_blocks]).not.toEqual([resource, ['0.0.0.0/0']]);
    // No bastion and no SSH key anywhere.
    expect(Object.keys(resourcesOf(model, 'aws_key_pair'))).toEqual([]);
    expect(
      Object.values(resourcesOf(model, 'aws_launch_template')).filter((t) => t.key_name),
    ).toEqual([]);
  });

  it('encrypts every volume with the environment key', () => {
    const key = run.outputs.ebsKmsKeyArn;
    const volumes = Object.values(resourcesOf(model, 'aws_ebs_volume'));
    // main and events etcd volumes per control plane.
    expect(volumes).toHaveLength(env.cluster.control_plane.count * 2);
    for (const volume of volumes)
      expect([volume.encrypted, volume.kms_key_id]).toEqual([true, key]);
    for (const [resource, template] of Object.entries(resourcesOf(model, 'aws_launch_template'))) {
      const ebs = first(first<Block>(template.block_device_mappings).ebs);
      expect([resource, ebs.encrypted, ebs.kms_key_id]).toEqual([resource, true, key]);
    }
  });

  it("attaches DocumentDB's client group to the node launch templates only", () => {
    const group = run.outputs.documentdbClientSecurityGroupId;
    for (const [resource, template] of Object.entries(resourcesOf(model, 'aws_launch_template'))) {
      const groups = first<Block>(template.network_interfaces).security_groups as string[];
      const isNode = !resource.startsWith('control-plane-');
      expect([resource, group !== undefined && groups.includes(group)]).toEqual([
        resource,
        isNode && group !== undefined,
      ]);
    }
    expect(group !== undefined).toBe(env.mongodb.mode === 'external');
  });

  it('runs the termination handler from a queue fed by EventBridge and ASG lifecycle hooks', () => {
    const queues = Object.values(resourcesOf(model, 'aws_sqs_queue'));
    expect(queues.map((q) => q.name)).toEqual([`${env.cluster.name.replace(/\./g, '-')}-nth`]);
    const rules = Object.keys(resourcesOf(model, 'aws_cloudwatch_event_rule'))
      .map((resource) => resource.split('-').pop())
      .sort();
    expect(rules).toEqual([
      'ASGLifecycle',
      'InstanceScheduledChange',
      'InstanceStateChange',
      'SpotInterruption',
    ]);
    for (const target of Object.values(resourcesOf(model, 'aws_cloudwatch_event_target')))
      expect(target.arn).toMatch(/aws_sqs_queue\..*-nth\.arn/);
    const hooks = Object.values(resourcesOf(model, 'aws_autoscaling_lifecycle_hook'));
    expect(hooks).toHaveLength(Object.keys(resourcesOf(model, 'aws_autoscaling_group')).length);
    for (const hook of hooks)
      expect(hook.lifecycle_transition).toBe('autoscaling:EC2_INSTANCE_TERMINATING');
    const addon = dataFile(
      `aws_s3_object_${env.cluster.name}-addons-node-termination-handler.aws-k8s-1.11_content`,
    );
    const deployment = YAML.parseAllDocuments(addon)
      .map((d) => d.toJS() as Block)
      .find((d) => d?.kind === 'Deployment') as
      { spec: { template: { spec: { containers: Array<{ env: Array<Block> }> } } } } | undefined;
    // Queue mode is a Deployment (IMDS mode would be a DaemonSet on every node).
    const vars = deployment!.spec.template.spec.containers[0]!.env;
    expect(vars).toEqual(
      expect.arrayContaining([
        { name: 'ENABLE_SQS_TERMINATION_DRAINING', value: 'true' },
        {
          name: 'QUEUE_URL',
          value: expect.stringMatching(new RegExp(`/${queues[0]!.name as string}$`)),
        },
      ]),
    );
  });

  it('asks for spot only where env.yaml says so, price-capacity-optimized over current generations', () => {
    for (const group of env.cluster.node_groups) {
      const asgs = Object.entries(resourcesOf(model, 'aws_autoscaling_group')).filter(([r]) =>
        r.startsWith(`${group.name}-`),
      );
      expect(asgs.length).toBe(env.network.az_count);
      for (const [resource, asg] of asgs) {
        const policy = first<Block | undefined>(asg.mixed_instances_policy);
        if (!group.spot) {
          expect([resource, policy]).toEqual([resource, undefined]);
          continue;
        }
        const distribution = first<Block>(policy!.instances_distribution);
        expect(distribution).toMatchObject({
          on_demand_base_capacity: 0,
          on_demand_percentage_above_base_capacity: 0,
          spot_allocation_strategy: 'price-capacity-optimized',
        });
        const overrides = (first<Block>(policy!.launch_template).override as Block[]).map(
          (o) => o.instance_type,
        );
        expect(overrides).toEqual(spotInstanceTypes(group.instance_type!));
        expect(overrides.filter((t) => /^t2\./.test(String(t)))).toEqual([]);
        expect(asg.capacity_rebalance).toBe(true);
      }
    }
  });

  it('writes the API server audit log on every control plane', () => {
    for (const ig of run.rendered.instanceGroups.filter((g) => g.spec.role === 'Master')) {
      const nodeup = YAML.parse(dataFile(`aws_s3_object_nodeupconfig-${ig.metadata.name}_content`));
      expect(nodeup.APIServerConfig.KubeAPIServer).toMatchObject({
        auditLogPath: '/var/log/kube-apiserver-audit.log',
        auditPolicyFile: '/srv/kubernetes/kube-apiserver/audit-policy.yaml',
      });
      expect((nodeup.FileAssets as Array<{ name: string }>).map((asset) => asset.name)).toContain(
        'audit-policy',
      );
    }
  });
});
