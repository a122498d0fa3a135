import YAML from 'yaml';
import {
  ManifestError,
  renderCluster,
  spotInstanceTypes,
  splitAcrossZones,
  toManifestYaml,
  type ClusterEnvironment,
} from './manifest';
import { networkOutputs } from './__fixtures__/outputs';

function environment(
  cluster: Partial<ClusterEnvironment['cluster']> = {},
  azCount = 3,
): ClusterEnvironment {
  return {
    name: 'prod',
    aws: { region: 'eu-west-1' },
    network: { az_count: azCount },
    cluster: {
      name: 'prod.movies.k8s.local',
      dns_zone: '',
      kubernetes_version: '1.32.4',
      control_plane: { count: 3, instance_type: 't3.large' },
      node_groups: [{ name: 'nodes', instance_type: 't3.large', min: 3, max: 9, spot: false }],
      api_access: ['198.51.100.0/24'],
      ssm_access: true,
      ...cluster,
    },
  };
}

describe('renderCluster', () => {
  it('references the Terraform VPC and subnets by id, private and utility per AZ', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    expect(cluster.spec.networkID).toBe('vpc-0a1b2c3d4e5f60718');
    expect(cluster.spec.networkCIDR).toBe('10.30.0.0/16');
    expect(cluster.spec.subnets).toEqual([
      {
        name: 'eu-west-1a',
        type: 'Private',
        zone: 'eu-west-1a',
        id: 'subnet-0aa00000000000001',
        egress: 'External',
      },
      {
        name: 'utility-eu-west-1a',
        type: 'Utility',
        zone: 'eu-west-1a',
        id: 'subnet-0bb00000000000001',
        egress: 'External',
      },
      {
        name: 'eu-west-1b',
        type: 'Private',
        zone: 'eu-west-1b',
        id: 'subnet-0aa00000000000002',
        egress: 'External',
      },
      {
        name: 'utility-eu-west-1b',
        type: 'Utility',
        zone: 'eu-west-1b',
        id: 'subnet-0bb00000000000002',
        egress: 'External',
      },
      {
        name: 'eu-west-1c',
        type: 'Private',
        zone: 'eu-west-1c',
        id: 'subnet-0aa00000000000003',
        egress: 'External',
      },
      {
        name: 'utility-eu-west-1c',
        type: 'Utility',
        zone: 'eu-west-1c',
        id: 'subnet-0bb00000000000003',
        egress: 'External',
      },
    ]);
  });

  it('adds subnet CIDRs when Terraform exports them', () => {
    const outputs = networkOutputs({
      privateSubnetCidrs: { 'eu-west-1a': '10.30.0.0/19' },
      publicSubnetCidrs: { 'eu-west-1a': '10.30.128.0/22' },
    });
    const { cluster } = renderCluster(environment({}, 1), outputs);
    const subnets = cluster.spec.subnets as Array<Record<string, string>>;
    expect(subnets.map((s) => s.cidr)).toEqual(['10.30.0.0/19', '10.30.128.0/22']);
  });

  it('uses the state store from Terraform, pins the version and turns on the add-ons', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    expect(cluster.apiVersion).toBe('kops.k8s.io/v1alpha2');
    expect(cluster.spec).toMatchObject({
      configBase: 's3://movies-kops-state-111111111111-prod/prod.movies.k8s.local',
      kubernetesVersion: '1.32.4',
      cloudProvider: 'aws',
      metricsServer: { enabled: true },
      clusterAutoscaler: { enabled: true, balanceSimilarNodeGroups: true },
      nodeTerminationHandler: { enabled: true },
      api: { loadBalancer: { type: 'Public', class: 'Network' } },
      topology: { dns: { type: 'None' } },
      kubernetesApiAccess: ['198.51.100.0/24'],
    });
    expect(cluster.spec.dnsZone).toBeUndefined();
    expect(cluster.spec.sshAccess).toBeUndefined();
  });

  it('uses public DNS in the zone when one is set', () => {
    const outputs = networkOutputs({ clusterName: 'prod.k8s.movies.example.org' });
    const env = environment({
      name: 'prod.k8s.movies.example.org',
      dns_zone: 'movies.example.org',
    });
    const { cluster } = renderCluster(env, outputs);
    expect(cluster.spec.dnsZone).toBe('movies.example.org');
    expect(cluster.spec.topology).toEqual({ dns: { type: 'Public' } });
  });

  it('spreads an HA control plane over the AZs with matching etcd members', () => {
    const { cluster, instanceGroups } = renderCluster(environment(), networkOutputs());
    const planes = instanceGroups.filter((ig) => ig.spec.role === 'Master');
    expect(planes.map((ig) => [ig.metadata.name, ig.spec.subnets])).toEqual([
      ['control-plane-eu-west-1a', ['eu-west-1a']],
      ['control-plane-eu-west-1b', ['eu-west-1b']],
      ['control-plane-eu-west-1c', ['eu-west-1c']],
    ]);
    const etcd = cluster.spec.etcdClusters as Array<{
      name: string;
      etcdMembers: Array<{ name: string; instanceGroup: string }>;
    }>;
    expect(etcd.map((c) => c.name)).toEqual(['main', 'events']);
    for (const c of etcd) {
      expect(c.etcdMembers.map((m) => m.instanceGroup)).toEqual(planes.map((p) => p.metadata.name));
      expect(c.etcdMembers.map((m) => m.name)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    }
  });

  it('places three control planes over two AZs with unique names', () => {
    const outputs = networkOutputs();
    const { instanceGroups } = renderCluster(environment({}, 2), outputs);
    expect(
      instanceGroups.filter((ig) => ig.spec.role === 'Master').map((ig) => ig.metadata.name),
    ).toEqual([
      'control-plane-eu-west-1a-1',
      'control-plane-eu-west-1b',
      'control-plane-eu-west-1a-2',
    ]);
  });

  it('makes one instance group per node group and AZ, splitting min and max', () => {
    const env = environment({
      node_groups: [
        { name: 'nodes', instance_type: 't3.large', min: 4, max: 10, spot: false },
        { name: 'batch', instance_type: 'm5.large', min: 0, max: 3, spot: true },
      ],
    });
    const { instanceGroups } = renderCluster(env, networkOutputs());
    const nodes = instanceGroups.filter((ig) => ig.spec.role === 'Node');
    expect(
      nodes.map((ig) => [ig.metadata.name, ig.spec.subnets, ig.spec.minSize, ig.spec.maxSize]),
    ).toEqual([
      ['nodes-eu-west-1a', ['eu-west-1a'], 2, 4],
      ['nodes-eu-west-1b', ['eu-west-1b'], 1, 3],
      ['nodes-eu-west-1c', ['eu-west-1c'], 1, 3],
      ['batch-eu-west-1a', ['eu-west-1a'], 0, 1],
      ['batch-eu-west-1b', ['eu-west-1b'], 0, 1],
      ['batch-eu-west-1c', ['eu-west-1c'], 0, 1],
    ]);
    expect(nodes[0]!.spec.mixedInstancesPolicy).toBeUndefined();
    expect(nodes[3]!.spec.mixedInstancesPolicy).toEqual({
      instances: ['m5.large', 'm5a.large', 'm6i.large'],
      onDemandBase: 0,
      onDemandAboveBase: 0,
      spotAllocationStrategy: 'price-capacity-optimized',
    });
    expect(nodes[3]!.spec.capacityRebalance).toBe(true);
    expect(
      nodes.map((ig) => (ig.spec.nodeLabels as Record<string, string>)['movies.io/capacity']),
    ).toEqual(['on-demand', 'on-demand', 'on-demand', 'spot', 'spot', 'spot']);
  });

  it('requires IMDSv2 on every instance group and labels each with the cluster', () => {
    const { instanceGroups } = renderCluster(environment(), networkOutputs());
    for (const ig of instanceGroups) {
      expect(ig.spec.instanceMetadata).toMatchObject({ httpTokens: 'required' });
      expect(ig.metadata.labels).toEqual({ 'kops.k8s.io/cluster': 'prod.movies.k8s.local' });
    }
  });

  it('has no bastion and no SSH: node shells go through SSM Session Manager when ssm_access', () => {
    const { cluster, instanceGroups } = renderCluster(environment(), networkOutputs());
    expect(instanceGroups.some((ig) => ig.spec.role === 'Bastion')).toBe(false);
    expect(cluster.spec.topology).toEqual({ dns: { type: 'None' } });
    expect(cluster.spec.sshAccess).toBeUndefined();
    expect(cluster.spec.sshKeyName).toBeUndefined();
    const policies = cluster.spec.additionalPolicies as Record<string, string>;
    expect(Object.keys(policies).sort()).toEqual(['master', 'node']);
    for (const document of Object.values(policies)) {
      const actions = (JSON.parse(document) as Array<{ Action: string[] }>).flatMap(
        (statement) => statement.Action,
      );
      expect(actions).toContain('ssmmessages:OpenDataChannel');
      expect(actions).toContain('ssm:UpdateInstanceInformation');
      expect(actions.some((action) => /^(iam|sts|s3|secretsmanager):/.test(action))).toBe(false);
    }
    const without = renderCluster(environment({ ssm_access: false }), networkOutputs());
    expect(without.cluster.spec.additionalPolicies).toBeUndefined();
  });

  it('tags everything kOps creates with the project and environment (the IAM conditions key on them)', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    expect(cluster.spec.cloudLabels).toEqual({ project: 'movies', environment: 'prod' });
  });

  it('caps every role kOps creates with the permissions boundary Terraform made for the cluster', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    expect(cluster.spec.iam).toEqual({
      allowContainerRegistry: true,
      legacy: false,
      permissionsBoundary: 'arn:aws:iam::111111111111:policy/movies-kops-boundary-prod',
    });
  });

  it("encrypts Secrets in etcd and every volume with the environment's key", () => {
    const key = networkOutputs().ebsKmsKeyArn;
    const { cluster, instanceGroups } = renderCluster(environment(), networkOutputs());
    expect(cluster.spec.encryptionConfig).toBe(true);
    for (const etcd of cluster.spec.etcdClusters as Array<{ etcdMembers: object[] }>)
      for (const member of etcd.etcdMembers)
        expect(member).toMatchObject({ encryptedVolume: true, kmsKeyId: key });
    for (const ig of instanceGroups)
      expect([
        ig.metadata.name,
        ig.spec.rootVolumeEncryption,
        ig.spec.rootVolumeEncryptionKey,
      ]).toEqual([ig.metadata.name, true, key]);
  });

  it('writes the API server audit log with a policy that keeps Secret bodies out of it', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    const apiServer = cluster.spec.kubeAPIServer as Record<string, unknown>;
    expect(apiServer).toMatchObject({
      auditLogPath: '/var/log/kube-apiserver-audit.log',
      auditPolicyFile: '/srv/kubernetes/kube-apiserver/audit-policy.yaml',
      auditLogMaxAge: 30,
    });
    const [asset] = cluster.spec.fileAssets as Array<{
      path: string;
      roles: string[];
      content: string;
    }>;
    expect(asset!.path).toBe(apiServer.auditPolicyFile);
    expect(asset!.roles).toEqual(['ControlPlane']);
    const policy = YAML.parse(asset!.content) as {
      kind: string;
      rules: Array<{ level: string; resources?: Array<{ resources: string[] }> }>;
    };
    expect(policy.kind).toBe('Policy');
    const secretsRule = policy.rules.find((rule) =>
      rule.resources?.some((r) => r.resources.includes('secrets')),
    );
    expect(secretsRule?.level).toBe('Metadata');
    // The secrets rule comes before any rule that would log request bodies.
    expect(policy.rules.indexOf(secretsRule!)).toBeLessThan(
      policy.rules.findIndex(
        (rule) => rule.level === 'Request' || rule.level === 'RequestResponse',
      ),
    );
  });

  it('runs the termination handler in queue mode, explicitly', () => {
    const { cluster } = renderCluster(environment(), networkOutputs());
    expect(cluster.spec.nodeTerminationHandler).toMatchObject({
      enabled: true,
      enableSQSTerminationDraining: true,
    });
  });

  it("attaches DocumentDB's client security group to the nodes only, and only with DocumentDB", () => {
    const { instanceGroups } = renderCluster(environment(), networkOutputs());
    for (const ig of instanceGroups)
      expect([ig.metadata.name, ig.spec.additionalSecurityGroups]).toEqual([
        ig.metadata.name,
        ig.spec.role === 'Node' ? ['sg-0dd00000000000001'] : undefined,
      ]);
    const outputs = networkOutputs();
    delete outputs.documentdbClientSecurityGroupId;
    for (const ig of renderCluster(environment(), outputs).instanceGroups)
      expect(ig.spec.additionalSecurityGroups).toBeUndefined();
  });

  it('defaults instance types to T3', () => {
    const env = environment({
      control_plane: { count: 1 },
      node_groups: [{ name: 'nodes', min: 1, max: 3 }],
    });
    const { instanceGroups } = renderCluster(env, networkOutputs());
    expect(instanceGroups.map((ig) => ig.spec.machineType)).toEqual([
      't3.medium',
      't3.medium',
      't3.medium',
      't3.medium',
    ]);
  });

  describe('errors name the problem', () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        'a missing private subnet',
        () => {
          const outputs = networkOutputs();
          delete outputs.privateSubnetIds['eu-west-1b'];
          return renderCluster(environment(), outputs);
        },
        /private_subnet_ids has no subnet for availability zone eu-west-1b/,
      ],
      [
        'a missing public subnet',
        () => {
          const outputs = networkOutputs();
          delete outputs.publicSubnetIds['eu-west-1c'];
          return renderCluster(environment(), outputs);
        },
        /public_subnet_ids has no subnet for availability zone eu-west-1c/,
      ],
      [
        'fewer AZs than az_count',
        () => renderCluster(environment({}, 4), networkOutputs()),
        /azs lists 3 zone\(s\) but network.az_count is 4/,
      ],
      [
        'min > max',
        () =>
          renderCluster(
            environment({ node_groups: [{ name: 'nodes', min: 5, max: 4 }] }),
            networkOutputs(),
          ),
        /cluster.node_groups\[0\] \(nodes\): min 5 is greater than max 4/,
      ],
      [
        'an invalid cluster name',
        () =>
          renderCluster(
            environment({ name: 'Prod_Cluster.k8s.local' }),
            networkOutputs({ clusterName: 'Prod_Cluster.k8s.local' }),
          ),
        /cluster.name: "Prod_Cluster.k8s.local" is not a valid DNS name/,
      ],
      [
        'a name outside .k8s.local without a zone',
        () =>
          renderCluster(
            environment({ name: 'prod.movies.example.org' }),
            networkOutputs({ clusterName: 'prod.movies.example.org' }),
          ),
        /must end with .k8s.local when cluster.dns_zone is empty/,
      ],
      [
        'no API access list',
        () => renderCluster(environment({ api_access: [] }), networkOutputs()),
        /cluster.api_access: list the CIDRs allowed to reach the Kubernetes API/,
      ],
      [
        'an even control plane count',
        () => renderCluster(environment({ control_plane: { count: 2 } }), networkOutputs()),
        /cluster.control_plane.count: 2 must be an odd number/,
      ],
      [
        'Terraform outputs for another cluster',
        () => renderCluster(environment(), networkOutputs({ clusterName: 'dev.movies.k8s.local' })),
        /cluster_name "dev.movies.k8s.local" differs from cluster.name "prod.movies.k8s.local"/,
      ],
    ];
    it.each(cases)('%s', (_name, render, message) => {
      expect(render).toThrow(ManifestError);
      expect(render).toThrow(message);
    });
  });
});

describe('helpers', () => {
  it('splits totals across zones without changing the sum', () => {
    expect(splitAcrossZones(3, 2)).toEqual([2, 1]);
    expect(splitAcrossZones(1, 3)).toEqual([1, 0, 0]);
    expect(splitAcrossZones(9, 3)).toEqual([3, 3, 3]);
  });

  it('offers similar instance types for spot', () => {
    // Current generations only (no t2), same vCPUs and memory.
    expect(spotInstanceTypes('t3.medium')).toEqual([
      't3.medium',
      't3a.medium',
      'c5.large',
      'c6i.large',
    ]);
    expect(spotInstanceTypes('m5.large')).toEqual(['m5.large', 'm5a.large', 'm6i.large']);
    for (const type of ['t3.medium', 't3.large', 't3a.xlarge', 'm5.large', 'c5.large'])
      expect(spotInstanceTypes(type).filter((t) => /^(t2|m4|c4|r4)\./.test(t))).toEqual([]);
    expect(spotInstanceTypes('x9.weird')).toEqual(['x9.weird']);
  });

  it('writes one YAML document per object, Cluster first', () => {
    const rendered = renderCluster(
      environment({ control_plane: { count: 1 } }, 1),
      networkOutputs(),
    );
    const docs = YAML.parseAllDocuments(toManifestYaml(rendered)).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Cluster/prod.movies.k8s.local',
      'InstanceGroup/control-plane-eu-west-1a',
      'InstanceGroup/nodes-eu-west-1a',
    ]);
  });
});
