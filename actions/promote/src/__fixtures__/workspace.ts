import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { renderRelease, type ReleaseImages } from '../release';

const CIDRS: Record<string, string> = {
  dev: '10.10.0.0/16',
  staging: '10.20.0.0/16',
  prod: '10.30.0.0/16',
};

function envYaml(name: string, from: string | null): string {
  const prod = name === 'prod';
  return [
    `name: ${name}`,
    'aws: { account_id: "222222222222", region: eu-west-1 }',
    'terraform: { state_bucket: movies-tfstate-222222222222 }',
    `network: { vpc_cidr: ${CIDRS[name]}, az_count: ${prod ? 3 : 2}, nat_gateway_mode: ${prod ? 'per-az' : 'single'}, enable_flow_logs: false }`,
    'cluster:',
    `  name: ${name}.movies.k8s.local`,
    '  dns_zone: ""',
    '  kubernetes_version: 1.32.4',
    `  control_plane: { count: ${prod ? 3 : 1}, instance_type: t3.medium }`,
    '  node_groups:',
    '    - { name: nodes, instance_type: t3.medium, min: 1, max: 3, spot: false }',
    '  bastion: false',
    'mongodb: { mode: in-cluster }',
    'app: { url: "" }',
    `promotion: { from: ${from ?? 'null'}, auto_deploy: ${from === null} }`,
    '',
  ].join('\n');
}

/**
 * A checkout with the repository's environment schemas and dev → staging → prod folders whose
 * release.yaml pins `images` (staging/prod) — what the action reads from GITHUB_WORKSPACE.
 */
export function promotionWorkspace(
  releases: Record<'dev' | 'staging' | 'prod', ReleaseImages>,
): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-workspace-'));
  fs.cpSync(
    path.join(repoRoot, 'environments', 'schema'),
    path.join(root, 'environments', 'schema'),
    { recursive: true },
  );
  const order: Array<['dev' | 'staging' | 'prod', string | null]> = [
    ['dev', null],
    ['staging', 'dev'],
    ['prod', 'staging'],
  ];
  for (const [name, from] of order) {
    const dir = path.join(root, 'environments', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'env.yaml'), envYaml(name, from));
    fs.writeFileSync(path.join(dir, 'values.yaml'), '{}\n');
    fs.writeFileSync(path.join(dir, 'release.yaml'), renderRelease(releases[name], 'test fixture'));
  }
  return root;
}
