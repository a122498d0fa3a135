import fs from 'node:fs';
import path from 'node:path';
import { environmentFolders, loadEnvironment, type EnvConfig } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import { renderCluster, spotInstanceTypes, splitAcrossZones, type KopsObject } from './manifest';
import { readTerraformOutputs } from './terraformOutputs';

/** The shipped environments, each with the Terraform outputs its network would produce. */
const shipped = environmentFolders(repoRoot).map((name) => {
  const { env } = loadEnvironment(repoRoot, name);
  const outputsFile = path.join(__dirname, '__fixtures__', 'terraform-outputs', `${name}.json`);
  return { name, env, outputsFile };
});

describe('kOps manifests of the shipped environments', () => {
  it('covers dev, staging and prod, each with a Terraform outputs fixture', () => {
    expect(shipped.map((s) => s.name).sort()).toEqual(['dev', 'prod', 'staging']);
    for (const { outputsFile } of shipped) expect(fs.existsSync(outputsFile)).toBe(true);
  });

  describe.each(shipped)('$name', ({ env, outputsFile }) => {
    const outputs = readTerraformOutputs(outputsFile);
    const { cluster, instanceGroups } = renderCluster(env, outputs);
    const zones = outputs.azs.slice(0, env.network.az_count);
    const byRole = (role: string) => instanceGroups.filter((ig) => ig.spec.role === role);

    it('uses the az_count zones and references their subnets by id', () => {
      expect(zones).toHaveLength(env.network.az_count);
      const subnets = cluster.spec.subnets as Array<Record<string, string>>;
      expect(subnets.filter((s) => s.type === 'Private').map((s) => [s.zone, s.id])).toEqual(
        zones.map((z) => [z, outputs.privateSubnetIds[z]]),
      );
      expect(subnets.filter((s) => s.type === 'Utility').map((s) => [s.zone, s.id])).toEqual(
        zones.map((z) => [z, outputs.publicSubnetIds[z]]),
      );
      expect(cluster.spec.networkID).toBe(outputs.vpcId);
      expect(cluster.spec.configBase).toBe(`${outputs.kopsStateStore}/${env.cluster.name}`);
      expect(cluster.spec.kubernetesVersion).toBe(env.cluster.kubernetes_version);
    });

    it('has the control planes of the environment, one etcd member each', () => {
      const planes = byRole('Master');
      expect(planes).toHaveLength(env.cluster.control_plane.count);
      if (env.cluster.control_plane.count >= 3) {
        // High availability: the control planes cover every zone (up to the count).
        expect(new Set(planes.flatMap((p) => p.spec.subnets as string[])).size).toBe(
          Math.min(zones.length, planes.length),
        );
      }
      for (const etcd of cluster.spec.etcdClusters as Array<{
        etcdMembers: Array<{ instanceGroup: string }>;
      }>) {
        expect(etcd.etcdMembers.map((m) => m.instanceGroup)).toEqual(
          planes.map((p) => p.metadata.name),
        );
      }
    });

    it('has one instance group per node group and zone, sizes summing to the env', () => {
      for (const group of env.cluster.node_groups) {
        const igs = byRole('Node').filter((ig) => ig.metadata.name.startsWith(`${group.name}-`));
        expect(igs.map((ig) => ig.spec.subnets)).toEqual(zones.map((z) => [z]));
        expect(igs.map((ig) => ig.spec.minSize)).toEqual(splitAcrossZones(group.min, zones.length));
        expect(igs.map((ig) => ig.spec.maxSize)).toEqual(splitAcrossZones(group.max, zones.length));
        for (const ig of igs) expectSpot(ig, group);
      }
    });

    it('has no bastion; the API is open to exactly api_access', () => {
      expect(byRole('Bastion')).toHaveLength(0);
      expect(cluster.spec.kubernetesApiAccess).toEqual(env.cluster.api_access);
    });
  });
});

function expectSpot(ig: KopsObject, group: EnvConfig['cluster']['node_groups'][number]): void {
  if (group.spot) {
    expect(ig.spec.mixedInstancesPolicy).toMatchObject({
      instances: spotInstanceTypes(group.instance_type),
      onDemandBase: 0,
      onDemandAboveBase: 0,
      spotAllocationStrategy: 'price-capacity-optimized',
    });
  } else {
    expect(ig.spec.mixedInstancesPolicy).toBeUndefined();
  }
}
