import YAML from 'yaml';
import type { NetworkOutputs } from './terraformOutputs';

/** The parts of `EnvConfig` (environments/<env>/env.yaml) the cluster is rendered from. */
export interface ClusterEnvironment {
  name: string;
  aws: { region: string };
  network: { az_count: number };
  cluster: {
    name: string;
    dns_zone?: string | null;
    kubernetes_version: string;
    control_plane: { count: number; instance_type?: string };
    node_groups: NodeGroup[];
    /** CIDRs allowed to reach the Kubernetes API load balancer. */
    api_access: string[];
    /** Shell access to nodes through SSM Session Manager (there is no SSH and no bastion). */
    ssm_access?: boolean;
  };
}

export interface NodeGroup {
  name: string;
  instance_type?: string;
  min: number;
  max: number;
  spot?: boolean;
}

export interface KopsObject {
  apiVersion: 'kops.k8s.io/v1alpha2';
  kind: 'Cluster' | 'InstanceGroup';
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface RenderedCluster {
  cluster: KopsObject;
  instanceGroups: KopsObject[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export const DEFAULT_INSTANCE_TYPE = 't3.medium';
export const DEFAULT_CONTROL_PLANE_TYPE = 't3.medium';

/**
 * Spot capacity is asked for across a few current-generation types with the same vCPUs and
 * memory (so the cluster autoscaler can treat the groups as similar), so one pool running dry is
 * survivable. Previous generations (t2, m4, c4) are never added.
 */
const SAME_FAMILY: Record<string, string[]> = {
  t3: ['t3a'],
  t3a: ['t3'],
  m5: ['m5a', 'm6i'],
  m5a: ['m5', 'm6i'],
  m6i: ['m6a', 'm5'],
  m6a: ['m6i', 'm5a'],
  c5: ['c5a', 'c6i'],
  c5a: ['c5', 'c6i'],
  c6i: ['c6a', 'c5'],
  c6a: ['c6i', 'c5a'],
  r5: ['r5a', 'r6i'],
  r6i: ['r6a', 'r5'],
};

/** Fixed-performance types with the vCPUs and memory of a burstable one (t3.medium: 2 vCPU, 4 GiB). */
const BURSTABLE_EQUIVALENTS: Record<string, string[]> = {
  medium: ['c5.large', 'c6i.large'],
  large: ['m5.large', 'm6i.large'],
  xlarge: ['m5.xlarge', 'm6i.xlarge'],
  '2xlarge': ['m5.2xlarge', 'm6i.2xlarge'],
};

export function spotInstanceTypes(instanceType: string): string[] {
  const [family, size] = instanceType.split('.');
  if (!family || !size) return [instanceType];
  const siblings = (SAME_FAMILY[family] ?? []).map((f) => `${f}.${size}`);
  const equivalents =
    family === 't3' || family === 't3a' ? (BURSTABLE_EQUIVALENTS[size] ?? []) : [];
  return [instanceType, ...siblings, ...equivalents];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function assertDnsName(name: string, field: string): void {
  const labels = name.split('.');
  if (name.length > 253 || labels.length < 2 || labels.some((label) => !DNS_LABEL.test(label))) {
    throw new ManifestError(
      `${field}: "${name}" is not a valid DNS name (lower-case labels of letters, digits and '-', separated by dots, at least two labels)`,
    );
  }
}

/**
 * Renders the kOps Cluster and InstanceGroups for one environment from its env.yaml and the
 * Terraform outputs of its network. Throws a ManifestError naming the field on bad input.
 */
export function renderCluster(env: ClusterEnvironment, outputs: NetworkOutputs): RenderedCluster {
  const clusterName = env.cluster.name;
  assertDnsName(clusterName, 'cluster.name');
  const dnsZone = (env.cluster.dns_zone ?? '').trim().replace(/\.$/, '');
  if (dnsZone) {
    assertDnsName(dnsZone, 'cluster.dns_zone');
    if (clusterName !== dnsZone && !clusterName.endsWith(`.${dnsZone}`)) {
      throw new ManifestError(
        `cluster.name: "${clusterName}" must be in cluster.dns_zone "${dnsZone}"`,
      );
    }
  } else if (!clusterName.endsWith('.k8s.local')) {
    throw new ManifestError(
      `cluster.name: "${clusterName}" must end with .k8s.local when cluster.dns_zone is empty (no DNS zone: gossip/none DNS)`,
    );
  }
  if (outputs.clusterName !== clusterName) {
    throw new ManifestError(
      `terraform outputs: cluster_name "${outputs.clusterName}" differs from cluster.name "${clusterName}" in env.yaml (apply Terraform first)`,
    );
  }
  if (outputs.region !== env.aws.region) {
    throw new ManifestError(
      `terraform outputs: region "${outputs.region}" differs from aws.region "${env.aws.region}" in env.yaml`,
    );
  }

  const apiAccess = env.cluster.api_access;
  if (!Array.isArray(apiAccess) || apiAccess.length === 0) {
    throw new ManifestError(
      "cluster.api_access: list the CIDRs allowed to reach the Kubernetes API (the deploy runners' egress addresses)",
    );
  }

  const zones = availabilityZones(env, outputs);
  const volumes = { encryptionKey: outputs.ebsKmsKeyArn };
  const controlPlanes = controlPlaneGroups(env, zones, clusterName, volumes);
  const nodeGroups = env.cluster.node_groups.flatMap((group, index) =>
    nodeGroupPerZone(group, index, zones, clusterName, {
      ...volumes,
      additionalSecurityGroups: outputs.documentdbClientSecurityGroupId
        ? [outputs.documentdbClientSecurityGroupId]
        : [],
    }),
  );

  const etcdMembers = controlPlanes.map((ig) => ({
    name: ig.metadata.name.replace(/^control-plane-/, ''),
    instanceGroup: ig.metadata.name,
    encryptedVolume: true,
    kmsKeyId: outputs.ebsKmsKeyArn,
  }));

  const cluster: KopsObject = {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: clusterName },
    spec: {
      api: { loadBalancer: { type: 'Public', class: 'Network' } },
      authorization: { rbac: {} },
      channel: 'stable',
      // On every AWS resource kOps creates: the apply roles' IAM conditions key on these tags.
      cloudLabels: { project: 'movies', environment: env.name },
      cloudProvider: 'aws',
      clusterAutoscaler: {
        enabled: true,
        balanceSimilarNodeGroups: true,
        expander: 'least-waste',
      },
      configBase: `${outputs.kopsStateStore.replace(/\/$/, '')}/${clusterName}`,
      ...(dnsZone ? { dnsZone } : {}),
      // Secrets in etcd are encrypted (the kops action creates the encryptionconfig secret).
      encryptionConfig: true,
      etcdClusters: ['main', 'events'].map((name) => ({
        name,
        etcdMembers: etcdMembers.map((member) => ({ ...member })),
        // kOps' default, written out so the stored spec equals the render.
        manager: { backupRetentionDays: 90 },
      })),
      fileAssets: [auditPolicyAsset()],
      iam: {
        allowContainerRegistry: true,
        legacy: false,
        // Every role kOps creates is capped by this boundary; the apply role may create no other.
        permissionsBoundary: outputs.kopsPermissionsBoundaryArn,
      },
      ...(env.cluster.ssm_access
        ? {
            additionalPolicies: {
              node: JSON.stringify([SESSION_MANAGER_STATEMENT]),
              // v1alpha2 spells the control-plane key "master" (kOps stores it back that way).
              master: JSON.stringify([SESSION_MANAGER_STATEMENT]),
            },
          }
        : {}),
      kubeAPIServer: {
        auditLogMaxAge: 30,
        auditLogMaxBackups: 10,
        auditLogMaxSize: 100,
        auditLogPath: AUDIT_LOG_PATH,
        auditPolicyFile: AUDIT_POLICY_PATH,
      },
      kubelet: { anonymousAuth: false },
      kubernetesApiAccess: apiAccess,
      kubernetesVersion: env.cluster.kubernetes_version,
      // Secure metrics-server (verified kubelet certificates) needs cert-manager, which kOps installs.
      certManager: { enabled: true },
      metricsServer: { enabled: true, insecure: false },
      networkCIDR: outputs.vpcCidr,
      networkID: outputs.vpcId,
      // Cilium enforces the chart's NetworkPolicies (default deny plus allow-lists).
      networking: { cilium: {} },
      nodeTerminationHandler: {
        enabled: true,
        // Queue mode: spot interruptions, rebalance recommendations, scheduled events and ASG
        // lifecycle hooks reach the handler through an SQS queue fed by EventBridge rules.
        enableSQSTerminationDraining: true,
        enableSpotInterruptionDraining: true,
        enableRebalanceMonitoring: false,
      },
      nonMasqueradeCIDR: '100.64.0.0/10',
      subnets: zones.flatMap((zone) => [
        {
          name: zone,
          type: 'Private',
          zone,
          id: outputs.privateSubnetIds[zone],
          ...cidr(outputs.privateSubnetCidrs[zone]),
          // Terraform owns the route tables (and the NAT gateways) of these shared subnets.
          egress: 'External',
        },
        {
          name: `utility-${zone}`,
          type: 'Utility',
          zone,
          id: outputs.publicSubnetIds[zone],
          ...cidr(outputs.publicSubnetCidrs[zone]),
          egress: 'External',
        },
      ]),
      topology: {
        dns: { type: dnsZone ? 'Public' : 'None' },
      },
    },
  };
  return { cluster, instanceGroups: [...controlPlanes, ...nodeGroups] };
}

export const AUDIT_POLICY_PATH = '/srv/kubernetes/kube-apiserver/audit-policy.yaml';
export const AUDIT_LOG_PATH = '/var/log/kube-apiserver-audit.log';

/**
 * The API server's audit policy, written on the control planes: request bodies of writes for
 * everything, metadata only for Secrets, ConfigMaps and tokens (their bodies are secrets), nothing
 * for the noisy read-only health and watch traffic.
 */
function auditPolicyAsset(): Record<string, unknown> {
  const policy = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
      { level: 'None', verbs: ['watch'] },
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      { level: 'Request', verbs: ['get', 'list'] },
      {
        level: 'RequestResponse',
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      },
      { level: 'Metadata' },
    ],
  };
  return {
    name: 'audit-policy',
    path: AUDIT_POLICY_PATH,
    roles: ['ControlPlane'],
    content: YAML.stringify(policy),
  };
}

/** What SSM Session Manager needs on an instance (the actions of AmazonSSMManagedInstanceCore it uses). */
const SESSION_MANAGER_STATEMENT = {
  Effect: 'Allow',
  Action: [
    'ssm:UpdateInstanceInformation',
    'ssmmessages:CreateControlChannel',
    'ssmmessages:CreateDataChannel',
    'ssmmessages:OpenControlChannel',
    'ssmmessages:OpenDataChannel',
    'ec2messages:AcknowledgeMessage',
    'ec2messages:DeleteMessage',
    'ec2messages:FailMessage',
    'ec2messages:GetEndpoint',
    'ec2messages:GetMessages',
    'ec2messages:SendReply',
  ],
  Resource: '*',
};

function cidr(value: string | undefined): { cidr?: string } {
  return value ? { cidr: value } : {};
}

/** The first az_count AZs of the Terraform network; each must have a private and a public subnet. */
function availabilityZones(env: ClusterEnvironment, outputs: NetworkOutputs): string[] {
  const count = env.network.az_count;
  if (outputs.azs.length < count) {
    throw new ManifestError(
      `terraform outputs: azs lists ${outputs.azs.length} zone(s) but network.az_count is ${count}`,
    );
  }
  const zones = outputs.azs.slice(0, count);
  for (const zone of zones) {
    if (!outputs.privateSubnetIds[zone]) {
      throw new ManifestError(
        `terraform outputs: private_subnet_ids has no subnet for availability zone ${zone}`,
      );
    }
    if (!outputs.publicSubnetIds[zone]) {
      throw new ManifestError(
        `terraform outputs: public_subnet_ids has no subnet for availability zone ${zone}`,
      );
    }
  }
  return zones;
}

function instanceGroup(
  name: string,
  clusterName: string,
  spec: Record<string, unknown>,
): KopsObject {
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { name, labels: { 'kops.k8s.io/cluster': clusterName } },
    spec,
  };
}

/** IMDSv2 only; a hop limit of 1 keeps pods (one hop further) away from the instance role. */
function metadataOptions(hopLimit: number) {
  return { instanceMetadata: { httpTokens: 'required', httpPutResponseHopLimit: hopLimit } };
}

interface VolumeOptions {
  encryptionKey: string;
}

/** Root volumes encrypted with the environment's key (kOps' default is the account's default EBS key). */
function rootVolume(volumes: VolumeOptions) {
  return { rootVolumeEncryption: true, rootVolumeEncryptionKey: volumes.encryptionKey };
}

function controlPlaneGroups(
  env: ClusterEnvironment,
  zones: string[],
  clusterName: string,
  volumes: VolumeOptions,
): KopsObject[] {
  const count = env.cluster.control_plane.count;
  if (!Number.isInteger(count) || count < 1 || count % 2 === 0) {
    throw new ManifestError(
      `cluster.control_plane.count: ${count} must be an odd number (1, or 3+ for high availability) so etcd keeps a quorum`,
    );
  }
  const perZone = new Map<string, number>();
  const placement = Array.from({ length: count }, (_, i) => {
    const zone = zones[i % zones.length] as string;
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    return { zone, ordinal: perZone.get(zone) as number };
  });
  return placement.map(({ zone, ordinal }) => {
    const shared = (perZone.get(zone) ?? 1) > 1;
    const name = `control-plane-${zone}${shared ? `-${ordinal}` : ''}`;
    return instanceGroup(name, clusterName, {
      // v1alpha2 spells the control-plane role Master (kOps converts ControlPlane back to it when storing).
      role: 'Master',
      machineType: env.cluster.control_plane.instance_type || DEFAULT_CONTROL_PLANE_TYPE,
      minSize: 1,
      maxSize: 1,
      subnets: [zone],
      ...rootVolume(volumes),
      // Control-plane add-ons (cluster-autoscaler, node-termination-handler) use the instance role from pods.
      ...metadataOptions(3),
    });
  });
}

/** Splits a total across zones: the remainder goes to the first zones, so the sum is unchanged. */
export function splitAcrossZones(total: number, zoneCount: number): number[] {
  const base = Math.floor(total / zoneCount);
  const remainder = total % zoneCount;
  return Array.from({ length: zoneCount }, (_, i) => base + (i < remainder ? 1 : 0));
}

const GROUP_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function nodeGroupPerZone(
  group: NodeGroup,
  index: number,
  zones: string[],
  clusterName: string,
  options: VolumeOptions & { additionalSecurityGroups: string[] },
): KopsObject[] {
  const field = `cluster.node_groups[${index}]`;
  if (!GROUP_NAME.test(group.name ?? '')) {
    throw new ManifestError(
      `${field}.name: "${group.name}" must be lower-case letters, digits and '-'`,
    );
  }
  for (const key of ['min', 'max'] as const) {
    if (!Number.isInteger(group[key]) || group[key] < 0) {
      throw new ManifestError(`${field}.${key}: ${group[key]} must be a whole number ≥ 0`);
    }
  }
  if (group.min > group.max) {
    throw new ManifestError(
      `${field} (${group.name}): min ${group.min} is greater than max ${group.max}`,
    );
  }
  if (group.max < zones.length) {
    throw new ManifestError(
      `${field} (${group.name}): max ${group.max} is less than the ${zones.length} availability zones it spans (one instance group per zone)`,
    );
  }
  const mins = splitAcrossZones(group.min, zones.length);
  const maxes = splitAcrossZones(group.max, zones.length);
  const instanceType = group.instance_type || DEFAULT_INSTANCE_TYPE;
  return zones.map((zone, i) =>
    instanceGroup(`${group.name}-${zone}`, clusterName, {
      role: 'Node',
      machineType: instanceType,
      minSize: mins[i],
      maxSize: maxes[i],
      subnets: [zone],
      ...rootVolume(options),
      // The client group DocumentDB admits (terraform/modules/documentdb), on nodes only.
      ...(options.additionalSecurityGroups.length
        ? { additionalSecurityGroups: options.additionalSecurityGroups }
        : {}),
      nodeLabels: {
        'movies.io/node-group': group.name,
        // Stateful workloads (dev's in-cluster MongoDB) select on-demand capacity.
        'movies.io/capacity': group.spot ? 'spot' : 'on-demand',
      },
      ...(group.spot
        ? {
            mixedInstancesPolicy: {
              instances: spotInstanceTypes(instanceType),
              onDemandBase: 0,
              onDemandAboveBase: 0,
              // The pools with the lowest interruption rate, then the lowest price among them.
              spotAllocationStrategy: 'price-capacity-optimized',
            },
            capacityRebalance: true,
          }
        : {}),
      ...metadataOptions(1),
    }),
  );
}

/** The manifest as kOps reads it: one YAML document per object, Cluster first. */
export function toManifestYaml(rendered: RenderedCluster): string {
  return [rendered.cluster, ...rendered.instanceGroups]
    .map((object) => YAML.stringify(object, { lineWidth: 0 }))
    .join('---\n');
}
