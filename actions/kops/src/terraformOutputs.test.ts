import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseTerraformOutputs,
  readTerraformOutputs,
  TerraformOutputsError,
} from './terraformOutputs';

function outputsJson(): Record<string, { value: unknown; type?: unknown; sensitive?: boolean }> {
  return {
    vpc_id: { value: 'vpc-0123456789abcdef0', sensitive: false },
    vpc_cidr: { value: '10.10.0.0/16' },
    azs: { value: ['eu-west-1a', 'eu-west-1b'] },
    private_subnet_ids: { value: { 'eu-west-1a': 'subnet-0a', 'eu-west-1b': 'subnet-0b' } },
    public_subnet_ids: { value: { 'eu-west-1a': 'subnet-1a', 'eu-west-1b': 'subnet-1b' } },
    nat_gateway_ids: { value: ['nat-0123'] },
    kops_state_store: { value: 's3://movies-kops-state-111111111111' },
    cluster_name: { value: 'dev.movies.k8s.local' },
    region: { value: 'eu-west-1' },
    kops_permissions_boundary_arn: {
      value: 'arn:aws:iam::111111111111:policy/movies-kops-boundary-dev',
    },
    ebs_kms_key_arn: {
      value: 'arn:aws:kms:eu-west-1:111111111111:key/2c8b3e4a-5d6f-4071-8cbd-2e3f4a5b6c7d',
    },
    documentdb_secret_arn: { value: null },
  };
}

describe('parseTerraformOutputs', () => {
  it('reads the network from `terraform output -json`', () => {
    expect(parseTerraformOutputs(outputsJson())).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '10.10.0.0/16',
      azs: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: { 'eu-west-1a': 'subnet-0a', 'eu-west-1b': 'subnet-0b' },
      publicSubnetIds: { 'eu-west-1a': 'subnet-1a', 'eu-west-1b': 'subnet-1b' },
      privateSubnetCidrs: {},
      publicSubnetCidrs: {},
      natGatewayIds: ['nat-0123'],
      kopsStateStore: 's3://movies-kops-state-111111111111',
      clusterName: 'dev.movies.k8s.local',
      region: 'eu-west-1',
      kopsPermissionsBoundaryArn: 'arn:aws:iam::111111111111:policy/movies-kops-boundary-dev',
      ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/2c8b3e4a-5d6f-4071-8cbd-2e3f4a5b6c7d',
    });
  });

  it('reads the DocumentDB clients group when Terraform made one', () => {
    const json = outputsJson();
    json.documentdb_client_security_group_id = { value: 'sg-0b2c3d4e5f6071829' };
    expect(parseTerraformOutputs(json).documentdbClientSecurityGroupId).toBe(
      'sg-0b2c3d4e5f6071829',
    );
    json.documentdb_client_security_group_id = { value: 'subnet-0a' };
    expect(() => parseTerraformOutputs(json)).toThrow(/is not a security group id/);
  });

  it.each([
    ['vpc_id', /output "vpc_id" is missing/],
    ['kops_state_store', /output "kops_state_store" is missing/],
    ['private_subnet_ids', /output "private_subnet_ids" is missing/],
    ['kops_permissions_boundary_arn', /output "kops_permissions_boundary_arn" is missing/],
    ['ebs_kms_key_arn', /output "ebs_kms_key_arn" is missing/],
  ])('names a missing %s', (key, message) => {
    const json = outputsJson();
    delete json[key];
    expect(() => parseTerraformOutputs(json)).toThrow(message);
  });

  it('names a malformed value', () => {
    const json = outputsJson();
    json.private_subnet_ids = { value: { 'eu-west-1a': 'sg-123' } };
    expect(() => parseTerraformOutputs(json)).toThrow(
      /private_subnet_ids"\["eu-west-1a"\] = "sg-123"/,
    );
    json.private_subnet_ids = { value: ['subnet-0a'] };
    expect(() => parseTerraformOutputs(json)).toThrow(/"private_subnet_ids" must be a map/);
    const other = outputsJson();
    other.kops_state_store = { value: 'gs://bucket' };
    expect(() => parseTerraformOutputs(other)).toThrow(
      /kops_state_store" = "gs:\/\/bucket" is not an s3:\/\/bucket URL/,
    );
  });
});

describe('readTerraformOutputs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-outputs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names a missing file and how to write it', () => {
    expect(() => readTerraformOutputs(path.join(dir, 'absent.json'))).toThrow(
      /terraform-outputs: cannot read .*absent.json \(ENOENT\); write it with `terraform output -json/,
    );
  });

  it('rejects a file that is not JSON', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, 'vpc_id = "vpc-1"');
    expect(() => readTerraformOutputs(file)).toThrow(TerraformOutputsError);
    expect(() => readTerraformOutputs(file)).toThrow(/is not JSON/);
  });

  it('reads a file', () => {
    const file = path.join(dir, 'ok.json');
    fs.writeFileSync(file, JSON.stringify(outputsJson()));
    expect(readTerraformOutputs(file).vpcId).toBe('vpc-0123456789abcdef0');
  });
});
