/** The environments in promotion order: an image reaches staging from dev, prod from staging. */
export const PROMOTION_ORDER = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof PROMOTION_ORDER)[number];

export const SERVICES = ['auth', 'data', 'recommendation', 'web'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface NodeGroup {
  name: string;
  instance_type: string;
  min: number;
  max: number;
  spot: boolean;
}

/** `environments/<env>/env.yaml` after validation (schema defaults filled in). */
export interface EnvConfig {
  name: string;
  aws: { account_id: string; region: string };
  terraform: { state_bucket: string };
  network: {
    vpc_cidr: string;
    az_count: number;
    nat_gateway_mode: 'single' | 'per-az';
    enable_flow_logs: boolean;
  };
  cluster: {
    name: string;
    dns_zone: string;
    kubernetes_version: string;
    control_plane: { count: number; instance_type: string };
    node_groups: NodeGroup[];
    /** CIDRs allowed to reach the Kubernetes API load balancer. */
    api_access: string[];
    /** Node shells through SSM Session Manager (there is no SSH and no bastion). */
    ssm_access: boolean;
  };
  mongodb: {
    mode: 'in-cluster' | 'external';
    /** Required with mode external: the DocumentDB cluster Terraform creates. */
    documentdb?: { instance_count: number; instance_class: string; deletion_protection: boolean };
  };
  app: { url: string };
  promotion: { from: string | null; auto_deploy: boolean };
}

export interface ServiceImage {
  /** The git commit sha the image was built from (its ECR tag). */
  tag: string;
  /** `sha256:<64 hex>`; absent only in dev before the first push. */
  digest?: string;
}

/** `environments/<env>/release.yaml`. */
export interface ReleaseConfig {
  services: Partial<Record<ServiceName, ServiceImage>>;
}

export interface LoadedEnvironment {
  name: string;
  env: EnvConfig;
  /** Helm value overrides (validated by the chart's values.schema.json at render time). */
  values: Record<string, unknown>;
  release: ReleaseConfig;
  /** Absolute path of `environments/<name>`. */
  dir: string;
}
