// Turns the AWS API calls a client really made (recorded by the fake AWS of @movies/testing) into
// the authorisation requests IAM evaluates for them: the action, every resource of the call (the
// ones it creates, without tags, and its parents, with the tags they had at that moment), the
// tags the call sets, and the condition keys the service adds (ec2:CreateAction on tag-on-create,
// iam:PermissionsBoundary, iam:PassedToService, elasticloadbalancing:CreateAction). Follows the
// Service Authorization Reference for the calls kOps makes; an unknown mutating call is an error,
// so a new kOps version cannot slip a call past the test.
import type { AwsCall } from '@movies/testing';
import type { AuthorizationRequest, ResourceUnderTest } from './simulate';

type Tags = Record<string, string>;

export interface CallContext {
  accountId: string;
  region: string;
}

function form(call: AwsCall): Record<string, string> {
  return call.params as Record<string, string>;
}

/** Query-protocol lists: Prefix.1, Prefix.2, … (or Prefix.member.1 …). */
function list(params: Record<string, string>, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; ; i++) {
    const value = params[`${prefix}.${i}`] ?? params[`${prefix}.member.${i}`];
    if (value === undefined) return values;
    values.push(value);
  }
}

/** EC2 TagSpecification.N of one resource type. */
function tagSpecification(
  params: Record<string, string>,
  resourceType: string,
  prefix = 'TagSpecification',
): Tags {
  const tags: Tags = {};
  for (let n = 1; params[`${prefix}.${n}.ResourceType`] !== undefined; n++) {
    if (params[`${prefix}.${n}.ResourceType`] !== resourceType) continue;
    for (let m = 1; params[`${prefix}.${n}.Tag.${m}.Key`] !== undefined; m++)
      tags[params[`${prefix}.${n}.Tag.${m}.Key`]!] = params[`${prefix}.${n}.Tag.${m}.Value`] ?? '';
  }
  return tags;
}

/** Tags.member.N.Key/Value (IAM, ELBv2, Auto Scaling) or Tag.N.Key/Value (EC2 CreateTags). */
function memberTags(params: Record<string, string>, prefix = 'Tags.member'): Tags {
  const tags: Tags = {};
  for (let n = 1; params[`${prefix}.${n}.Key`] !== undefined; n++)
    tags[params[`${prefix}.${n}.Key`]!] = params[`${prefix}.${n}.Value`] ?? '';
  return tags;
}

function xml(response: string, element: string): string | undefined {
  return new RegExp(`<${element}>([^<]+)</${element}>`).exec(response)?.[1];
}

const EC2_ID_TYPES: Array<[RegExp, string]> = [
  [/^sgr-/, 'security-group-rule'],
  [/^sg-/, 'security-group'],
  [/^subnet-/, 'subnet'],
  [/^vpc-/, 'vpc'],
  [/^lt-/, 'launch-template'],
  [/^vol-/, 'volume'],
  [/^i-/, 'instance'],
  [/^eni-/, 'network-interface'],
  [/^igw-/, 'internet-gateway'],
  [/^rtb-/, 'route-table'],
  [/^nat-/, 'natgateway'],
  [/^eipalloc-/, 'elastic-ip'],
  [/^vpce-/, 'vpc-endpoint'],
];

const READ = /^(Describe|List|Get|Head)/;

/**
 * Replays the calls in order, keeping the tags of every resource they create or tag, and returns
 * what IAM evaluates for each call that reached the service (moto answered below 500).
 */
export function authorizationRequests(calls: AwsCall[], ctx: CallContext): AuthorizationRequest[] {
  const tags = new Map<string, Tags>();
  const boundaries = new Map<string, string>();
  const profileRoles = new Map<string, string>();
  const launchTemplates = new Map<string, Record<string, string>>();
  const launchTemplateIds = new Map<string, string>();
  const ec2 = (type: string, id: string) =>
    `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`;
  const ec2Existing = (id: string): ResourceUnderTest => {
    const type = EC2_ID_TYPES.find(([pattern]) => pattern.test(id))?.[1];
    if (!type) throw new Error(`unknown EC2 id ${id}`);
    return { arn: ec2(type, id), tags: tags.get(id) ?? {} };
  };
  const existing = (arn: string): ResourceUnderTest => ({ arn, tags: tags.get(arn) ?? {} });
  const iamArn = (kind: 'role' | 'instance-profile', name: string) =>
    `arn:aws:iam::${ctx.accountId}:${kind}/${name}`;
  const requests: AuthorizationRequest[] = [];
  const add = (request: AuthorizationRequest) => requests.push(request);

  // Instances come from Auto Scaling, not from a recorded call: their tags (launch template and
  // propagated group tags) are known from any description of them, before or after.
  for (const call of calls.filter((c) => c.service === 'ec2' && c.action === 'DescribeInstances')) {
    // One instance per reservation item (how Auto Scaling launches them).
    for (const [, block] of call.response.matchAll(/<instancesSet>([\s\S]*?)<\/instancesSet>/g)) {
      const own = block!.replace(/<networkInterfaceSet>[\s\S]*?<\/networkInterfaceSet>/g, '');
      const id = /<instanceId>([^<]+)<\/instanceId>/.exec(own)?.[1];
      if (!id) continue;
      const tagSet = /<tagSet>([\s\S]*?)<\/tagSet>/.exec(own)?.[1] ?? '';
      const found: Tags = {};
      for (const [, key, value] of tagSet.matchAll(
        /<key>([^<]*)<\/key>\s*<value>([^<]*)<\/value>/g,
      ))
        found[key!] = value!;
      for (const [, key] of tagSet.matchAll(/<key>([^<]*)<\/key>\s*<value\/>/g)) found[key!] = '';
      tags.set(id, { ...found, ...(tags.get(id) ?? {}) });
    }
  }

  for (const call of calls) {
    try {
      translate(call);
    } catch (error) {
      throw new Error(
        `${call.service} ${call.action} ${JSON.stringify(call.params).slice(0, 600)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return requests;

  function translate(call: AwsCall): void {
    if (call.status >= 500) return;
    const label = `${call.service}:${call.action}`;
    const p = form(call);
    const remember = (id: string | undefined, set: Tags) => {
      if (id) tags.set(id, { ...(tags.get(id) ?? {}), ...set });
    };
    const tagOnCreate = (newArn: string, requestTags: Tags, createAction: string) => {
      if (Object.keys(requestTags).length)
        add({
          label,
          action: 'ec2:CreateTags',
          resources: [{ arn: newArn }],
          requestTags,
          context: { 'ec2:CreateAction': createAction },
        });
    };

    if (call.service === 'sts') {
      add({ label, action: `sts:${call.action}`, resources: [{ arn: '*' }] });
      return;
    }

    if (call.service === 's3') {
      const [bucket, ...rest] = call.path.replace(/^\//, '').split('/');
      const key = rest.join('/');
      const bucketArn = `arn:aws:s3:::${bucket}`;
      if (call.action === 'CreateBucket')
        add({ label, action: 's3:CreateBucket', resources: [{ arn: bucketArn }] });
      else if (call.action === 'GETBucket:encryption')
        add({ label, action: 's3:GetEncryptionConfiguration', resources: [{ arn: bucketArn }] });
      else if (call.action.startsWith('GETBucket') || call.action === 'ListObjects')
        add({
          label,
          action: 's3:ListBucket',
          resources: [{ arn: bucketArn }],
          context: {
            's3:prefix': new URLSearchParams(call.path.split('?')[1] ?? '').get('prefix') ?? '',
          },
        });
      else if (call.action === 'GetObject' || call.action === 'HeadObject')
        add({ label, action: 's3:GetObject', resources: [{ arn: `${bucketArn}/${key}` }] });
      else if (call.action === 'PutObject')
        add({ label, action: 's3:PutObject', resources: [{ arn: `${bucketArn}/${key}` }] });
      else if (call.action === 'DeleteObject')
        add({ label, action: 's3:DeleteObject', resources: [{ arn: `${bucketArn}/${key}` }] });
      else if (call.action === 'POSTBucket:delete')
        for (const object of (call.params.keys as string[] | undefined) ?? [])
          add({ label, action: 's3:DeleteObject', resources: [{ arn: `${bucketArn}/${object}` }] });
      else if (call.action === 'PUTBucket:policy')
        add({ label, action: 's3:PutBucketPolicy', resources: [{ arn: bucketArn }] });
      else
        throw new Error(`no IAM mapping for S3 call ${call.method} ${call.path} (${call.action})`);
      return;
    }

    if (call.service === 'ec2') {
      const action = `ec2:${call.action}`;
      switch (call.action) {
        case 'CreateVpc': {
          const t = tagSpecification(p, 'vpc');
          add({ label, action, resources: [{ arn: ec2('vpc', '*') }], requestTags: t });
          tagOnCreate(ec2('vpc', '*'), t, call.action);
          remember(xml(call.response, 'vpcId'), t);
          break;
        }
        case 'CreateSubnet': {
          const t = tagSpecification(p, 'subnet');
          add({
            label,
            action,
            resources: [{ arn: ec2('subnet', '*') }, ec2Existing(p.VpcId!)],
            requestTags: t,
          });
          tagOnCreate(ec2('subnet', '*'), t, call.action);
          remember(xml(call.response, 'subnetId'), t);
          break;
        }
        case 'CreateSecurityGroup': {
          const t = tagSpecification(p, 'security-group');
          add({
            label,
            action,
            resources: [{ arn: ec2('security-group', '*') }, ec2Existing(p.VpcId!)],
            requestTags: t,
          });
          tagOnCreate(ec2('security-group', '*'), t, call.action);
          remember(xml(call.response, 'groupId'), t);
          break;
        }
        case 'AuthorizeSecurityGroupIngress':
        case 'AuthorizeSecurityGroupEgress': {
          const t = tagSpecification(p, 'security-group-rule');
          add({
            label,
            action,
            resources: [ec2Existing(p.GroupId!), { arn: ec2('security-group-rule', '*') }],
            requestTags: t,
          });
          tagOnCreate(ec2('security-group-rule', '*'), t, call.action);
          for (const id of call.response.match(/<securityGroupRuleId>[^<]+/g) ?? [])
            remember(id.replace('<securityGroupRuleId>', ''), t);
          break;
        }
        case 'CreateVolume': {
          const t = tagSpecification(p, 'volume');
          add({ label, action, resources: [{ arn: ec2('volume', '*') }], requestTags: t });
          tagOnCreate(ec2('volume', '*'), t, call.action);
          remember(xml(call.response, 'volumeId'), t);
          break;
        }
        case 'CreateLaunchTemplate': {
          const t = tagSpecification(p, 'launch-template');
          add({ label, action, resources: [{ arn: ec2('launch-template', '*') }], requestTags: t });
          tagOnCreate(ec2('launch-template', '*'), t, call.action);
          const id = xml(call.response, 'launchTemplateId');
          remember(id, t);
          if (id) {
            launchTemplates.set(id, p);
            launchTemplateIds.set(p.LaunchTemplateName!, id);
          }
          break;
        }
        case 'CreateLaunchTemplateVersion':
        case 'ModifyLaunchTemplate':
        case 'DeleteLaunchTemplate': {
          const id = p.LaunchTemplateId ?? launchTemplateIds.get(p.LaunchTemplateName!);
          if (!id) throw new Error(`launch template ${p.LaunchTemplateName} was never created`);
          add({ label, action, resources: [ec2Existing(id)] });
          if (call.action === 'CreateLaunchTemplateVersion') launchTemplates.set(id, p);
          break;
        }
        case 'CreateTags':
        case 'DeleteTags': {
          const t = memberTags(p, 'Tag');
          for (const id of list(p, 'ResourceId')) {
            add({ label, action, resources: [ec2Existing(id)], requestTags: t });
            if (call.action === 'CreateTags') remember(id, t);
          }
          break;
        }
        case 'RevokeSecurityGroupIngress':
        case 'RevokeSecurityGroupEgress':
        case 'DeleteSecurityGroup':
          add({ label, action, resources: [ec2Existing(p.GroupId!)] });
          break;
        case 'DeleteVolume':
        case 'DetachVolume':
          add({ label, action, resources: [ec2Existing(p.VolumeId!)] });
          break;
        case 'TerminateInstances':
          for (const id of list(p, 'InstanceId'))
            add({ label, action, resources: [ec2Existing(id)] });
          break;
        default:
          if (!READ.test(call.action))
            throw new Error(`no IAM mapping for EC2 call ${call.action}`);
          add({ label, action, resources: [{ arn: '*' }] });
      }
      return;
    }

    if (call.service === 'elasticloadbalancing') {
      const action = `elasticloadbalancing:${call.action}`;
      const arnOf = (kind: 'LoadBalancerArn' | 'TargetGroupArn' | 'ListenerArn') =>
        p[kind] ?? xml(call.response, kind);
      switch (call.action) {
        case 'CreateLoadBalancer':
        case 'CreateTargetGroup': {
          const t = memberTags(p);
          const arn = xml(
            call.response,
            call.action === 'CreateLoadBalancer' ? 'LoadBalancerArn' : 'TargetGroupArn',
          )!;
          add({ label, action, resources: [{ arn }], requestTags: t });
          add({
            label,
            action: 'elasticloadbalancing:AddTags',
            resources: [{ arn }],
            requestTags: t,
            context: { 'elasticloadbalancing:CreateAction': call.action },
          });
          remember(arn, t);
          break;
        }
        case 'CreateListener':
          add({ label, action, resources: [existing(p.LoadBalancerArn!)] });
          break;
        default: {
          if (READ.test(call.action)) {
            add({ label, action, resources: [{ arn: '*' }] });
            break;
          }
          const arn = arnOf('LoadBalancerArn') ?? arnOf('TargetGroupArn') ?? arnOf('ListenerArn');
          if (!arn) throw new Error(`no IAM mapping for ELBv2 call ${call.action}`);
          add({ label, action, resources: [existing(arn)] });
        }
      }
      return;
    }

    if (call.service === 'autoscaling') {
      const action = `autoscaling:${call.action}`;
      if (READ.test(call.action)) {
        add({ label, action, resources: [{ arn: '*' }] });
        return;
      }
      const name = p.AutoScalingGroupName ?? p['Tags.member.1.ResourceId'];
      if (!name) throw new Error(`no IAM mapping for Auto Scaling call ${call.action}`);
      const arn = `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${name}`;
      if (call.action === 'CreateAutoScalingGroup') {
        const t = memberTags(p);
        add({ label, action, resources: [{ arn }], requestTags: t });
        add({
          label,
          action: 'autoscaling:CreateOrUpdateTags',
          resources: [{ arn }],
          requestTags: t,
        });
        // Auto Scaling checks that the caller may launch the template: RunInstances on what it
        // names and creates, and PassRole of its instance profile's role.
        const templateId = p['LaunchTemplate.LaunchTemplateId'];
        const template = templateId ? launchTemplates.get(templateId) : undefined;
        if (template) {
          const instanceTags = tagSpecification(
            template,
            'instance',
            'LaunchTemplateData.TagSpecification',
          );
          const subnets = (p.VPCZoneIdentifier ?? '').split(',').filter(Boolean).map(ec2Existing);
          const groups = list(
            template,
            'LaunchTemplateData.NetworkInterface.1.SecurityGroupId',
          ).map(ec2Existing);
          add({
            label: `${label} (launch template check)`,
            action: 'ec2:RunInstances',
            resources: [
              ec2Existing(templateId!),
              { arn: ec2('instance', '*') },
              { arn: ec2('volume', '*') },
              { arn: ec2('network-interface', '*') },
              { arn: `arn:aws:ec2:${ctx.region}::image/${template['LaunchTemplateData.ImageId']}` },
              ...subnets,
              ...groups,
            ],
            requestTags: instanceTags,
            context: { 'ec2:Owner': '099720109477' },
          });
          const profile = template['LaunchTemplateData.IamInstanceProfile.Name'];
          const role = profile ? profileRoles.get(profile) : undefined;
          if (role)
            add({
              label: `${label} (instance profile)`,
              action: 'iam:PassRole',
              resources: [{ arn: iamArn('role', role) }],
              context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
            });
        }
        remember(arn, t);
      } else {
        add({
          label,
          action,
          resources: [existing(arn)],
          requestTags: call.action === 'CreateOrUpdateTags' ? memberTags(p) : undefined,
        });
      }
      return;
    }

    if (call.service === 'sqs') {
      const action = `sqs:${call.action}`;
      if (call.action === 'ListQueues') {
        add({ label, action, resources: [{ arn: '*' }] });
        return;
      }
      const url =
        (call.params.QueueUrl as string | undefined) ??
        (JSON.parse(call.response || '{}') as { QueueUrl?: string }).QueueUrl;
      const name = (call.params.QueueName as string | undefined) ?? url?.split('/').pop();
      const arn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
      if (call.action === 'CreateQueue') {
        const t = (call.params.tags as Tags | undefined) ?? {};
        add({ label, action, resources: [{ arn }], requestTags: t });
        if (Object.keys(t).length)
          add({ label, action: 'sqs:TagQueue', resources: [{ arn }], requestTags: t });
        remember(arn, t);
      } else add({ label, action, resources: [existing(arn)] });
      return;
    }

    if (call.service === 'events') {
      const action = `events:${call.action}`;
      if (call.action === 'ListRules') {
        add({ label, action, resources: [{ arn: '*' }] });
        return;
      }
      const rule = (call.params.Name ?? call.params.Rule) as string | undefined;
      const arn =
        (call.params.ResourceARN as string | undefined) ??
        `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${rule}`;
      if (call.action === 'PutRule') {
        const t = Object.fromEntries(
          ((call.params.Tags as Array<{ Key: string; Value: string }>) ?? []).map((tag) => [
            tag.Key,
            tag.Value,
          ]),
        );
        const known = tags.has(arn);
        add({ label, action, resources: [known ? existing(arn) : { arn }], requestTags: t });
        if (Object.keys(t).length)
          add({
            label,
            action: 'events:TagResource',
            resources: [known ? existing(arn) : { arn }],
            requestTags: t,
          });
        remember(arn, t);
      } else add({ label, action, resources: [existing(arn)] });
      return;
    }

    if (call.service === 'iam') {
      const action = `iam:${call.action}`;
      const roleName = p.RoleName;
      const profileName = p.InstanceProfileName;
      switch (call.action) {
        case 'CreateRole': {
          const t = memberTags(p);
          const context: Record<string, string> = {};
          if (p.PermissionsBoundary) {
            context['iam:PermissionsBoundary'] = p.PermissionsBoundary;
            boundaries.set(roleName!, p.PermissionsBoundary);
          }
          add({
            label,
            action,
            resources: [{ arn: iamArn('role', roleName!) }],
            requestTags: t,
            context,
          });
          if (Object.keys(t).length)
            add({
              label,
              action: 'iam:TagRole',
              resources: [{ arn: iamArn('role', roleName!) }],
              requestTags: t,
            });
          remember(iamArn('role', roleName!), t);
          break;
        }
        case 'PutRolePolicy':
        case 'DeleteRolePolicy':
        case 'PutRolePermissionsBoundary': {
          const boundary =
            call.action === 'PutRolePermissionsBoundary'
              ? p.PermissionsBoundary
              : boundaries.get(roleName!);
          add({
            label,
            action,
            resources: [existing(iamArn('role', roleName!))],
            context: boundary ? { 'iam:PermissionsBoundary': boundary } : {},
          });
          break;
        }
        case 'CreateInstanceProfile':
        case 'TagInstanceProfile': {
          const t = memberTags(p);
          add({
            label,
            action,
            resources: [existing(iamArn('instance-profile', profileName!))],
            requestTags: t,
          });
          remember(iamArn('instance-profile', profileName!), t);
          break;
        }
        case 'RemoveRoleFromInstanceProfile':
          add({ label, action, resources: [existing(iamArn('instance-profile', profileName!))] });
          break;
        case 'AddRoleToInstanceProfile':
          profileRoles.set(profileName!, roleName!);
          add({ label, action, resources: [existing(iamArn('instance-profile', profileName!))] });
          add({
            label,
            action: 'iam:PassRole',
            resources: [existing(iamArn('role', roleName!))],
            context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          });
          break;
        case 'ListRoles':
        case 'ListInstanceProfiles':
          add({ label, action, resources: [{ arn: '*' }] });
          break;
        default:
          if (roleName) add({ label, action, resources: [existing(iamArn('role', roleName))] });
          else if (READ.test(call.action)) add({ label, action, resources: [{ arn: '*' }] });
          else if (profileName)
            add({ label, action, resources: [existing(iamArn('instance-profile', profileName))] });
          else throw new Error(`no IAM mapping for IAM call ${call.action}`);
      }
      return;
    }
    if (call.service === 'kms' && call.action === 'CreateKey') {
      const t = Object.fromEntries(
        ((call.params.Tags as Array<{ TagKey: string; TagValue: string }>) ?? []).map((tag) => [
          tag.TagKey,
          tag.TagValue,
        ]),
      );
      add({ label, action: 'kms:CreateKey', resources: [{ arn: '*' }], requestTags: t });
      // Tags in CreateKey need kms:TagResource too, checked on the new key.
      if (Object.keys(t).length)
        add({
          label,
          action: 'kms:TagResource',
          resources: [
            {
              arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/00000000-0000-0000-0000-000000000000`,
            },
          ],
          requestTags: t,
        });
      return;
    }
    throw new Error(`no IAM mapping for ${call.service} call ${call.action}`);
  }
}
