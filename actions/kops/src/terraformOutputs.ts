import fs from 'node:fs';

/** The Terraform outputs of `terraform/environment` the kOps cluster is built on. */
export interface NetworkOutputs {
  vpcId: string;
  vpcCidr: string;
  azs: string[];
  /** AZ → subnet id. */
  privateSubnetIds: Record<string, string>;
  publicSubnetIds: Record<string, string>;
  /** AZ → CIDR, only when Terraform exports them (kOps looks them up in AWS otherwise). */
  privateSubnetCidrs: Record<string, string>;
  publicSubnetCidrs: Record<string, string>;
  natGatewayIds: string[];
  /** `s3://bucket` */
  kopsStateStore: string;
  clusterName: string;
  region: string;
  /** IAM policy every role kOps creates must carry (spec.iam.permissionsBoundary). */
  kopsPermissionsBoundaryArn: string;
  /** The environment's KMS key for EBS volumes (root volumes and etcd). */
  ebsKmsKeyArn: string;
  /** Security group DocumentDB admits; attached to the node instance groups. Absent without DocumentDB. */
  documentdbClientSecurityGroupId?: string;
}

export class TerraformOutputsError extends Error {
  override name = 'TerraformOutputsError';
}

type OutputsJson = Record<string, { value?: unknown } | undefined>;

/** Reads the JSON written by `terraform output -json` and checks every key the cluster needs. */
export function readTerraformOutputs(file: string): NetworkOutputs {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TerraformOutputsError(
      `terraform-outputs: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); write it with \`terraform output -json > ${file}\``,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TerraformOutputsError(
      `terraform-outputs: ${file} is not JSON (${(error as Error).message})`,
    );
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new TerraformOutputsError(
      `terraform-outputs: ${file} must hold the object printed by \`terraform output -json\``,
    );
  }
  return parseTerraformOutputs(json as OutputsJson, file);
}

export function parseTerraformOutputs(
  json: OutputsJson,
  source = 'terraform outputs',
): NetworkOutputs {
  const value = (key: string): unknown => {
    const entry = json[key];
    if (!entry || typeof entry !== 'object' || !('value' in entry) || entry.value === null) {
      throw new TerraformOutputsError(`${source}: output "${key}" is missing`);
    }
    return entry.value;
  };
  const optional = (key: string): unknown => {
    const entry = json[key];
    return entry && typeof entry === 'object' && 'value' in entry ? entry.value : undefined;
  };
  const string = (key: string, pattern?: RegExp, rule?: string): string => {
    const v = value(key);
    if (typeof v !== 'string' || v === '') {
      throw new TerraformOutputsError(`${source}: output "${key}" must be a non-empty string`);
    }
    if (pattern && !pattern.test(v)) {
      throw new TerraformOutputsError(`${source}: output "${key}" = "${v}" ${rule}`);
    }
    return v;
  };
  const stringMap = (key: string, raw: unknown, pattern?: RegExp): Record<string, string> => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new TerraformOutputsError(
        `${source}: output "${key}" must be a map of availability zone to id`,
      );
    }
    const out: Record<string, string> = {};
    for (const [az, id] of Object.entries(raw)) {
      if (typeof id !== 'string' || (pattern && !pattern.test(id))) {
        throw new TerraformOutputsError(
          `${source}: output "${key}"["${az}"] = ${JSON.stringify(id)} is not a valid value`,
        );
      }
      out[az] = id;
    }
    return out;
  };
  const stringList = (key: string, raw: unknown): string[] => {
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
      throw new TerraformOutputsError(`${source}: output "${key}" must be a list of strings`);
    }
    return raw as string[];
  };
  const cidrs = (key: string): Record<string, string> => {
    const raw = optional(key);
    return raw === undefined || raw === null ? {} : stringMap(key, raw, CIDR);
  };

  return {
    vpcId: string('vpc_id', /^vpc-[0-9a-f]+$/, 'is not a VPC id (vpc-…)'),
    vpcCidr: string('vpc_cidr', CIDR, 'is not an IPv4 CIDR'),
    azs: stringList('azs', value('azs')),
    privateSubnetIds: stringMap('private_subnet_ids', value('private_subnet_ids'), SUBNET),
    publicSubnetIds: stringMap('public_subnet_ids', value('public_subnet_ids'), SUBNET),
    privateSubnetCidrs: cidrs('private_subnet_cidrs'),
    publicSubnetCidrs: cidrs('public_subnet_cidrs'),
    natGatewayIds: stringList('nat_gateway_ids', optional('nat_gateway_ids') ?? []),
    kopsStateStore: string(
      'kops_state_store',
      /^s3:\/\/[a-z0-9.-]+\/?$/,
      'is not an s3://bucket URL',
    ),
    clusterName: string('cluster_name'),
    region: string('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'is not an AWS region'),
    kopsPermissionsBoundaryArn: string(
      'kops_permissions_boundary_arn',
      /^arn:aws[a-z-]*:iam::\d{12}:policy\/.+$/,
      'is not an IAM policy ARN',
    ),
    ebsKmsKeyArn: string(
      'ebs_kms_key_arn',
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/,
      'is not a KMS key ARN',
    ),
    ...(typeof optional('documentdb_client_security_group_id') === 'string'
      ? {
          documentdbClientSecurityGroupId: string(
            'documentdb_client_security_group_id',
            /^sg-[0-9a-f]+$/,
            'is not a security group id (sg-…)',
          ),
        }
      : {}),
  };
}

const SUBNET = /^subnet-[0-9a-f]+$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
