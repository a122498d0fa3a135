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
      bastion: false,
      ...cluster,
    },
  };
}
const access = { apiAccess: ['0.0.0.0/0'], sshAccess: [] };

describe('renderCluster', () => {
  it('references the Terraform VPC and subnets by id, private and utility per AZ', () => {
    const { cluster } = renderCluster(environment(), networkOutputs(), access);
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
    const { cluster } = renderCluster(environment({}, 1), outputs, access);
    const subnets = cluster.spec.subnets as Array<Record<string, string>>;
    expect(subnets.map((s) => s.cidr)).toEqual(['10.30.0.0/19', '10.30.128.0/22']);
  });

  it('uses the state store from Terraform, pins the version and turns on the add-ons', () => {
    const { cluster } = renderCluster(environment(), networkOutputs(), access);
    expect(cluster.apiVersion).toBe('kops.k8s.io/v1alpha2');
    expect(cluster.spec).toMatchObject({
      configBase: 's3://movies-kops-state-333333333333/prod.movies.k8s.local',
      kubernetesVersion: '1.32.4',
      cloudProvider: 'aws',
      metricsServer: { enabled: true },
      clusterAutoscaler: { enabled: true, balanceSimilarNodeGroups: true },
      nodeTerminationHandler: { enabled: true },
      api: { loadBalancer: { type: 'Public', class: 'Network' } },
      topology: { dns: { type: 'None' } },
      kubernetesApiAccess: ['0.0.0.0/0'],
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
    const { cluster } = renderCluster(env, outputs, access);
    expect(cluster.spec.dnsZone).toBe('movies.example.org');
    expect(cluster.spec.topology).toEqual({ dns: { type: 'Public' } });
  });

  it('spreads an HA control plane over the AZs with matching etcd members', () => {
    const { cluster, instanceGroups } = renderCluster(environment(), networkOutputs(), access);
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
    const { instanceGroups } = renderCluster(environment({}, 2), outputs, access);
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
    const { instanceGroups } = renderCluster(env, networkOutputs(), access);
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
      spotAllocationStrategy: 'capacity-optimized',
    });
  });

  it('requires IMDSv2 on every instance group and labels each with the cluster', () => {
    const { instanceGroups } = renderCluster(
      environment({ bastion: true }),
      networkOutputs(),
      access,
    );
    for (const ig of instanceGroups) {
      expect(ig.spec.instanceMetadata).toMatchObject({ httpTokens: 'required' });
      expect(ig.metadata.labels).toEqual({ 'kops.k8s.io/cluster': 'prod.movies.k8s.local' });
    }
  });

  it('adds a bastion in the utility subnets only when asked', () => {
    const without = renderCluster(environment(), networkOutputs(), access);
    expect(without.instanceGroups.some((ig) => ig.spec.role === 'Bastion')).toBe(false);
    const { cluster, instanceGroups } = renderCluster(
      environment({ bastion: true }),
      networkOutputs(),
      access,
    );
    const bastion = instanceGroups.find((ig) => ig.spec.role === 'Bastion');
    expect(bastion?.spec.subnets).toEqual([
      'utility-eu-west-1a',
      'utility-eu-west-1b',
      'utility-eu-west-1c',
    ]);
    expect(cluster.spec.topology).toMatchObject({ bastion: {} });
  });

  it('defaults instance types to T3', () => {
    const env = environment({
      control_plane: { count: 1 },
      node_groups: [{ name: 'nodes', min: 1, max: 3 }],
    });
    const { instanceGroups } = renderCluster(env, networkOutputs(), access);
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
          return renderCluster(environment(), outputs, access);
        },
        /private_subnet_ids has no subnet for availability zone eu-west-1b/,
      ],
      [
        'a missing public subnet',
        () => {
          const outputs = networkOutputs();
          delete outputs.publicSubnetIds['eu-west-1c'];
          return renderCluster(environment(), outputs, access);
        },
        /public_subnet_ids has no subnet for availability zone eu-west-1c/,
      ],
      [
        'fewer AZs than az_count',
        () => renderCluster(environment({}, 4), networkOutputs(), access),
        /azs lists 3 zone\(s\) but network.az_count is 4/,
      ],
      [
        'min > max',
        () =>
          renderCluster(
            environment({ node_groups: [{ name: 'nodes', min: 5, max: 4 }] }),
            networkOutputs(),
            access,
          ),
        /cluster.node_groups\[0\] \(nodes\): min 5 is greater than max 4/,
      ],
      [
        'an invalid cluster name',
        () =>
          renderCluster(
            environment({ name: 'Prod_Cluster.k8s.local' }),
            networkOutputs({ clusterName: 'Prod_Cluster.k8s.local' }),
            access,
          ),
        /cluster.name: "Prod_Cluster.k8s.local" is not a valid DNS name/,
      ],
      [
        'a name outside .k8s.local without a zone',
        () =>
          renderCluster(
            environment({ name: 'prod.movies.example.org' }),
            networkOutputs({ clusterName: 'prod.movies.example.org' }),
            access,
          ),
        /must end with .k8s.local when cluster.dns_zone is empty/,
      ],
      [
        'an even control plane count',
        () => renderCluster(environment({ control_plane: { count: 2 } }), networkOutputs(), access),
        /cluster.control_plane.count: 2 must be an odd number/,
      ],
      [
        'Terraform outputs for another cluster',
        () =>
          renderCluster(
            environment(),
            networkOutputs({ clusterName: 'dev.movies.k8s.local' }),
            access,
          ),
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
    expect(spotInstanceTypes('t3.medium')).toEqual(['t3.medium', 't3a.medium', 't2.medium']);
    expect(spotInstanceTypes('x9.weird')).toEqual(['x9.weird']);
  });

  it('writes one YAML document per object, Cluster first', () => {
    const rendered = renderCluster(
      environment({ control_plane: { count: 1 } }, 1),
      networkOutputs(),
      access,
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
