jest.setTimeout(120_000);

// The AWS calls the AWS provider makes to create, change and delete every resource type
// terraform/environment declares (through its modules), with the tags the provider's
// default_tags put on the request and the parent resources each create names, decided by the IAM
// evaluator for that environment's apply role (allowed) and every other environment's (denied).
// The provider cannot run here, so the calls per resource type are written down below, from the
// Service Authorization Reference and the provider's documented create paths; a resource type
// the environment root gains without an entry fails the first test.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { ACCOUNT, ENVIRONMENTS, REGION, applyRole } from './iam/policies';
import { evaluate, type AuthorizationRequest } from './iam/simulate';
import { terraformDir } from './layout';

const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;

/** What provider default_tags (terraform/environment/providers.tf) put on every resource. */
const tagsOf = (environment: string) => ({
  project: 'movies',
  environment,
  'managed-by': 'terraform',
});

/** Every resource type of terraform/environment and the modules it calls. */
async function resourceTypes(): Promise<Set<string>> {
  const dirs = [
    'environment',
    'modules/network',
    'modules/state-store',
    'modules/kms-key',
    'modules/documentdb',
    'modules/app-secrets',
  ];
  const types = new Set<string>();
  for (const dir of dirs)
    for (const file of fs.readdirSync(terraformDir(dir)).filter((f) => f.endsWith('.tf'))) {
      const parsed = (await parse(
        file,
        fs.readFileSync(path.join(terraformDir(dir), file), 'utf8'),
      )) as {
        resource?: Record<string, unknown>;
      };
      for (const type of Object.keys(parsed.resource ?? {})) types.add(type);
    }
  return types;
}

type Calls = (env: string) => AuthorizationRequest[];

/** One environment's resources, as Terraform names them, and their ids in these requests. */
function ids(env: string) {
  const name = `movies-${env}`;
  return {
    name,
    vpc: { arn: ec2('vpc', `vpc-0${env}`), tags: tagsOf(env) },
    subnet: { arn: ec2('subnet', `subnet-0${env}`), tags: tagsOf(env) },
    routeTable: { arn: ec2('route-table', `rtb-0${env}`), tags: tagsOf(env) },
    eip: { arn: ec2('elastic-ip', `eipalloc-0${env}`), tags: tagsOf(env) },
    igw: { arn: ec2('internet-gateway', `igw-0${env}`), tags: tagsOf(env) },
    group: { arn: ec2('security-group', `sg-0${env}`), tags: tagsOf(env) },
    key: { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0${env}-key`, tags: tagsOf(env) },
    bucket: `arn:aws:s3:::movies-kops-state-${ACCOUNT}-${env}`,
    cluster: { arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${name}`, tags: tagsOf(env) },
    secret: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:movies/${env}/jwt-AbCdEf`,
  };
}

/** A create that tags on create: the create itself and the tagging it implies. */
function ec2Create(
  env: string,
  action: string,
  type: string,
  parents: AuthorizationRequest['resources'],
): AuthorizationRequest[] {
  const requestTags = tagsOf(env);
  return [
    {
      label: action,
      action: `ec2:${action}`,
      resources: [{ arn: ec2(type, '*') }, ...parents],
      requestTags,
    },
    {
      label: `${action} (tags)`,
      action: 'ec2:CreateTags',
      resources: [{ arn: ec2(type, '*') }],
      requestTags,
      context: { 'ec2:CreateAction': action },
    },
  ];
}

const change = (
  action: string,
  ...resources: AuthorizationRequest['resources']
): AuthorizationRequest => ({
  label: action,
  action,
  resources,
});

const CALLS: Record<string, Calls> = {
  aws_vpc: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateVpc', 'vpc', []),
      change('ec2:ModifyVpcAttribute', r.vpc),
      change('ec2:DeleteVpc', r.vpc),
    ];
  },
  aws_subnet: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateSubnet', 'subnet', [r.vpc]),
      change('ec2:ModifySubnetAttribute', r.subnet),
      change('ec2:DeleteSubnet', r.subnet),
    ];
  },
  aws_internet_gateway: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateInternetGateway', 'internet-gateway', []),
      change('ec2:AttachInternetGateway', r.igw, r.vpc),
      change('ec2:DetachInternetGateway', r.igw, r.vpc),
      change('ec2:DeleteInternetGateway', r.igw),
    ];
  },
  aws_eip: (env) => [
    ...ec2Create(env, 'AllocateAddress', 'elastic-ip', []),
    change('ec2:ReleaseAddress', ids(env).eip),
  ],
  aws_nat_gateway: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateNatGateway', 'natgateway', [r.subnet, r.eip]),
      change('ec2:DeleteNatGateway', { arn: ec2('natgateway', `nat-0${env}`), tags: tagsOf(env) }),
    ];
  },
  aws_route_table: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateRouteTable', 'route-table', [r.vpc]),
      change('ec2:DeleteRouteTable', r.routeTable),
    ];
  },
  aws_route: (env) => {
    const r = ids(env);
    return [
      change('ec2:CreateRoute', r.routeTable),
      change('ec2:ReplaceRoute', r.routeTable),
      change('ec2:DeleteRoute', r.routeTable),
    ];
  },
  aws_route_table_association: (env) => {
    const r = ids(env);
    return [
      change('ec2:AssociateRouteTable', r.routeTable, r.subnet),
      change('ec2:DisassociateRouteTable', r.routeTable),
    ];
  },
  aws_vpc_endpoint: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateVpcEndpoint', 'vpc-endpoint', [r.vpc, r.routeTable]),
      change('ec2:DeleteVpcEndpoints', {
        arn: ec2('vpc-endpoint', `vpce-0${env}`),
        tags: tagsOf(env),
      }),
    ];
  },
  // The VPC's default group exists untagged: Terraform adopts it (tags it, empties its rules).
  aws_default_security_group: (env) => {
    const untagged = { arn: ec2('security-group', `sg-0default${env}`), tags: {} };
    return [
      {
        label: 'adopt default group',
        action: 'ec2:CreateTags',
        resources: [untagged],
        requestTags: tagsOf(env),
      },
      change('ec2:RevokeSecurityGroupIngress', untagged),
      change('ec2:RevokeSecurityGroupEgress', untagged),
    ];
  },
  aws_security_group: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateSecurityGroup', 'security-group', [r.vpc]),
      change('ec2:RevokeSecurityGroupEgress', r.group),
      change('ec2:DeleteSecurityGroup', r.group),
    ];
  },
  // Terraform's default tags tag the rule: TagSpecifications on AuthorizeSecurityGroupIngress.
  aws_vpc_security_group_ingress_rule: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'AuthorizeSecurityGroupIngress', 'security-group-rule', [r.group]),
      change('ec2:RevokeSecurityGroupIngress', r.group),
    ];
  },
  aws_flow_log: (env) => {
    const r = ids(env);
    return [
      ...ec2Create(env, 'CreateFlowLogs', 'vpc-flow-log', [r.vpc]),
      {
        label: 'flow logs role',
        action: 'iam:PassRole',
        resources: [{ arn: `arn:aws:iam::${ACCOUNT}:role/${r.name}-vpc-flow-logs` }],
        context: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' },
      },
      change('ec2:DeleteFlowLogs', { arn: ec2('vpc-flow-log', `fl-0${env}`), tags: tagsOf(env) }),
    ];
  },
  aws_cloudwatch_log_group: (env) => {
    const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/docdb/movies-${env}/audit`;
    return [
      {
        label: 'log group',
        action: 'logs:CreateLogGroup',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      {
        label: 'log group tags',
        action: 'logs:TagResource',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      change('logs:PutRetentionPolicy', { arn }),
      change('logs:DeleteLogGroup', { arn }),
    ];
  },
  aws_iam_role: (env) => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/movies-${env}-vpc-flow-logs`;
    const boundary = {
      'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/movies-workload-boundary`,
    };
    return [
      {
        label: 'flow logs role',
        action: 'iam:CreateRole',
        resources: [{ arn }],
        requestTags: tagsOf(env),
        context: boundary,
      },
      {
        label: 'flow logs role tags',
        action: 'iam:TagRole',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      change('iam:DeleteRole', { arn, tags: tagsOf(env) }),
    ];
  },
  aws_iam_role_policy: (env) => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/movies-${env}-vpc-flow-logs`;
    return [
      {
        label: 'flow logs policy',
        action: 'iam:PutRolePolicy',
        resources: [{ arn, tags: tagsOf(env) }],
        context: {
          'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/movies-workload-boundary`,
        },
      },
    ];
  },
  aws_kms_key: (env) => {
    const r = ids(env);
    return [
      {
        label: 'key',
        action: 'kms:CreateKey',
        resources: [{ arn: '*' }],
        requestTags: tagsOf(env),
      },
      change('kms:EnableKeyRotation', r.key),
      change('kms:PutKeyPolicy', r.key),
      change('kms:ScheduleKeyDeletion', r.key),
    ];
  },
  aws_kms_alias: (env) => {
    const r = ids(env);
    const alias = { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/movies-${env}-ebs` };
    return [
      change('kms:CreateAlias', alias),
      change('kms:CreateAlias', r.key),
      change('kms:DeleteAlias', alias),
    ];
  },
  aws_s3_bucket: (env) => [
    change('s3:CreateBucket', { arn: ids(env).bucket }),
    change('s3:PutBucketTagging', { arn: ids(env).bucket }),
    change('s3:DeleteBucket', { arn: ids(env).bucket }),
  ],
  aws_s3_bucket_ownership_controls: (env) => [
    change('s3:PutBucketOwnershipControls', { arn: ids(env).bucket }),
  ],
  aws_s3_bucket_public_access_block: (env) => [
    change('s3:PutBucketPublicAccessBlock', { arn: ids(env).bucket }),
  ],
  aws_s3_bucket_versioning: (env) => [change('s3:PutBucketVersioning', { arn: ids(env).bucket })],
  aws_s3_bucket_server_side_encryption_configuration: (env) => [
    change('s3:PutEncryptionConfiguration', { arn: ids(env).bucket }),
  ],
  aws_s3_bucket_lifecycle_configuration: (env) => [
    change('s3:PutLifecycleConfiguration', { arn: ids(env).bucket }),
  ],
  aws_s3_bucket_policy: (env) => [change('s3:PutBucketPolicy', { arn: ids(env).bucket })],
  aws_docdb_subnet_group: (env) => {
    const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:subgrp:movies-${env}-docdb`;
    return [
      {
        label: 'subnet group',
        action: 'rds:CreateDBSubnetGroup',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
    ];
  },
  aws_docdb_cluster_parameter_group: (env) => {
    const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-pg:movies-${env}-docdb`;
    return [
      {
        label: 'parameter group',
        action: 'rds:CreateDBClusterParameterGroup',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      change('rds:ModifyDBClusterParameterGroup', { arn, tags: tagsOf(env) }),
    ];
  },
  aws_docdb_cluster: (env) => {
    const r = ids(env);
    return [
      {
        label: 'cluster',
        action: 'rds:CreateDBCluster',
        resources: [{ arn: r.cluster.arn }],
        requestTags: tagsOf(env),
      },
      // The teardown: deletion protection off, then a final snapshot under a unique name.
      change('rds:ModifyDBCluster', r.cluster),
      change('rds:CreateDBClusterSnapshot', r.cluster, {
        arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:movies-${env}-final-20260601120000`,
      }),
      change('rds:DeleteDBCluster', r.cluster),
    ];
  },
  aws_docdb_cluster_instance: (env) => {
    const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:db:movies-${env}-1`;
    return [
      {
        label: 'instance',
        action: 'rds:CreateDBInstance',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      change('rds:DeleteDBInstance', { arn, tags: tagsOf(env) }),
    ];
  },
  aws_secretsmanager_secret: (env) => {
    const arn = ids(env).secret;
    return [
      {
        label: 'secret',
        action: 'secretsmanager:CreateSecret',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      {
        label: 'secret tags',
        action: 'secretsmanager:TagResource',
        resources: [{ arn }],
        requestTags: tagsOf(env),
      },
      change('secretsmanager:DeleteSecret', { arn, tags: tagsOf(env) }),
    ];
  },
};

/**
 * Allowed for every environment, by design: a VPC's default security group exists untagged until
 * Terraform adopts it, so emptying an untagged one cannot be scoped to an environment (it can only
 * take access away, and only before the owner adopts it; see modules/github-oidc/README.md).
 */
const SHARED = new Set([
  'aws_default_security_group: ec2:RevokeSecurityGroupIngress',
  'aws_default_security_group: ec2:RevokeSecurityGroupEgress',
]);

describe('every create, change and delete Terraform makes in an environment', () => {
  it('has its AWS calls written down for every resource type the environment root declares', async () => {
    const missing = [...(await resourceTypes())].filter((type) => !(type in CALLS));
    expect(missing).toEqual([]);
  });

  it.each(ENVIRONMENTS)(
    'all allowed for apply-%s, none for the other environments',
    async (env) => {
      const denied: string[] = [];
      const leaked: string[] = [];
      for (const [type, calls] of Object.entries(CALLS))
        for (const request of calls(env)) {
          const own = await evaluate(applyRole(env), request);
          if (own.decision !== 'Allowed')
            denied.push(
              `${type}: ${request.label} ${request.action} on ${own.deniedResource}: ${own.decision}${own.errors ?? ''}`,
            );
          for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
            const theirs = await evaluate(applyRole(other), request);
            // Read-only calls aside, another environment may touch nothing of this one.
            if (theirs.decision === 'Allowed' && !SHARED.has(`${type}: ${request.action}`))
              leaked.push(`${other} may ${type}: ${request.label} ${request.action}`);
          }
        }
      expect(denied).toEqual([]);
      expect(leaked).toEqual([]);
    },
  );
});
