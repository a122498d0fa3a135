import type { NetworkOutputs } from '../terraformOutputs';

/** Terraform outputs for a three-AZ network in eu-west-1, as `parseTerraformOutputs` returns them. */
export function networkOutputs(overrides: Partial<NetworkOutputs> = {}): NetworkOutputs {
  return {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidr: '10.30.0.0/16',
    azs: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    privateSubnetIds: {
      'eu-west-1a': 'subnet-0aa00000000000001',
      'eu-west-1b': 'subnet-0aa00000000000002',
      'eu-west-1c': 'subnet-0aa00000000000003',
    },
    publicSubnetIds: {
      'eu-west-1a': 'subnet-0bb00000000000001',
      'eu-west-1b': 'subnet-0bb00000000000002',
      'eu-west-1c': 'subnet-0bb00000000000003',
    },
    privateSubnetCidrs: {},
    publicSubnetCidrs: {},
    natGatewayIds: ['nat-0cc00000000000001'],
    kopsStateStore: 's3://movies-kops-state-111111111111-prod',
    clusterName: 'prod.movies.k8s.local',
    region: 'eu-west-1',
    kopsPermissionsBoundaryArn: 'arn:aws:iam::111111111111:policy/movies-kops-boundary-prod',
    ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    documentdbClientSecurityGroupId: 'sg-0dd00000000000001',
    ...overrides,
  };
}
