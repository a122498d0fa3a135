// The IAM documents of modules/github-oidc rendered exactly as Terraform's templatefile() renders
// them (the templates use only `${name}` and `${jsonencode(name)}`), with the values the module
// computes in local.policy_vars for each environment of a realistic single-account setup.
import fs from 'node:fs';
import path from 'node:path';
import { loadEnvironments } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import { terraformDir } from '../layout';

export const POLICIES_DIR = terraformDir('modules/github-oidc/policies');

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Names a template refers to, for comparing with what Terraform passes to templatefile(). */
export function templatePlaceholders(template: string): Set<string> {
  const names = new Set<string>();
  for (const [, expression] of template.matchAll(PLACEHOLDER)) {
    const name = /^jsonencode\(([a-z_]+)\)$/.exec(expression!)?.[1] ?? expression!;
    if (!/^[a-z_]+$/.test(name))
      throw new Error(
        `unsupported template expression \${${expression}}: use \${name} or \${jsonencode(name)}`,
      );
    names.add(name);
  }
  return names;
}

/** Renders a template like templatefile(): every placeholder must have a value. */
export function renderTemplate(
  file: string,
  vars: Record<string, unknown>,
  dir = POLICIES_DIR,
): PolicyDocument {
  const template = fs.readFileSync(path.join(dir, file), 'utf8');
  const text = template.replace(PLACEHOLDER, (_match, expression: string) => {
    const encoded = /^jsonencode\(([a-z_]+)\)$/.exec(expression);
    const name = encoded ? encoded[1]! : expression;
    if (!(name in vars)) throw new Error(`${file}: no value for \${${expression}}`);
    const value = vars[name];
    if (encoded) return JSON.stringify(value);
    // Terraform interpolates numbers into strings as their decimal text.
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') throw new Error(`${file}: \${${name}} must be a string`);
    return value;
  });
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch (error) {
    throw new Error(`${file} does not render to JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const REPOSITORY = 'octo-org/movies';
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** cluster.name of each shipped env.yaml (what terraform/global's cluster_names receives). */
export function clusterNames(): Record<string, string> {
  return Object.fromEntries(loadEnvironments(repoRoot).map((e) => [e.name, e.env.cluster.name]));
}

/** local.policy_vars[environment] of modules/github-oidc. */
export function policyVars(environment: string): Record<string, unknown> {
  const clusters = clusterNames();
  return {
    partition: 'aws',
    account_id: ACCOUNT,
    region: REGION,
    environment,
    project: 'movies',
    cluster_name: clusters[environment],
    state_bucket: `movies-tfstate-${ACCOUNT}`,
    kops_state_bucket: `movies-kops-state-${ACCOUNT}-${environment}`,
    workload_name: `movies-${environment}`,
    workload_boundary_arn: `arn:aws:iam::${ACCOUNT}:policy/movies-workload-boundary`,
    kops_boundary_arn: `arn:aws:iam::${ACCOUNT}:policy/movies-kops-boundary-${environment}`,
    other_cluster_tag_keys: ENVIRONMENTS.filter((other) => other !== environment).map(
      (other) => `kubernetes.io/cluster/${clusters[other]}`,
    ),
  };
}

export const APPLY_PARTS = ['network', 'data', 'kops', 'guardrails'] as const;

export interface RolePolicies {
  name: string;
  arn: string;
  policies: Array<{ name: string; document: PolicyDocument }>;
  boundary?: PolicyDocument;
}

/** The apply role of an environment with every managed policy attached to it. */
export function applyRole(environment: string): RolePolicies {
  const vars = policyVars(environment);
  return {
    name: `movies-apply-${environment}`,
    arn: `arn:aws:iam::${ACCOUNT}:role/movies-apply-${environment}`,
    policies: APPLY_PARTS.map((part) => ({
      name: `movies-apply-${environment}-${part}`,
      document: renderTemplate(`apply-${part}.json.tftpl`, vars),
    })),
  };
}

export function planRole(environment: string): RolePolicies {
  return {
    name: `movies-plan-${environment}`,
    arn: `arn:aws:iam::${ACCOUNT}:role/movies-plan-${environment}`,
    policies: [
      { name: 'plan', document: renderTemplate('plan.json.tftpl', policyVars(environment)) },
    ],
  };
}

export function imagePushRole(): RolePolicies {
  return {
    name: 'movies-image-push',
    arn: `arn:aws:iam::${ACCOUNT}:role/movies-image-push`,
    policies: [
      { name: 'image-push', document: renderTemplate('image-push.json.tftpl', policyVars('dev')) },
    ],
  };
}

export function kopsBoundary(environment: string): PolicyDocument {
  return renderTemplate('kops-boundary.json.tftpl', policyVars(environment));
}

export function workloadBoundary(): PolicyDocument {
  return renderTemplate('workload-boundary.json.tftpl', policyVars('dev'));
}

/** modules/network's VPC flow logs role (with the workload boundary) writing its log group. */
export function flowLogsWritePolicy(environment: string): PolicyDocument {
  return renderTemplate(
    'flow-logs-write.json.tftpl',
    {
      log_group_arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/movies/movies-${environment}/vpc-flow-logs`,
    },
    terraformDir('modules/network/policies'),
  );
}

export function trustPolicy(subjects: string[]): PolicyDocument {
  return renderTemplate('trust.json.tftpl', {
    oidc_provider_arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    subjects,
  });
}

/** IAM's size rule: characters without whitespace. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}
