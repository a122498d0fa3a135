import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import {
  EnvironmentError,
  loadEnvironment,
  accountErrors,
  loadEnvironments,
  PROMOTION_ORDER,
} from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';

/** A copy of the shipped environments/ folder in a temp "repository" that a test may break. */
function copyOfEnvironments(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'environments-'));
  fs.cpSync(path.join(repoRoot, 'environments'), path.join(root, 'environments'), {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}tests`),
  });
  return root;
}

/** Edits one YAML file of the copy, keeping its comments and layout. */
function edit(
  root: string,
  file: string,
  change: (doc: ReturnType<typeof parseDocument>) => void,
): void {
  const full = path.join(root, 'environments', file);
  const doc = parseDocument(fs.readFileSync(full, 'utf8'));
  change(doc);
  fs.writeFileSync(full, doc.toString());
}

function errorsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof EnvironmentError) return error.errors;
    throw error;
  }
  throw new Error('expected an EnvironmentError, but the environments loaded');
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const sha = (c: string) => c.repeat(40);

describe('shipped environments', () => {
  const environments = loadEnvironments(repoRoot);

  it('all validate, in promotion order', () => {
    expect(environments.map((e) => e.name)).toEqual([...PROMOTION_ORDER]);
  });

  it('form the promotion chain dev → staging → prod with auto-deploy only in dev', () => {
    expect(
      environments.map((e) => [e.name, e.env.promotion.from, e.env.promotion.auto_deploy]),
    ).toEqual([
      ['dev', null, true],
      ['staging', 'dev', false],
      ['prod', 'staging', false],
    ]);
  });

  it('make prod highly available', () => {
    const prod = environments.find((e) => e.name === 'prod')!.env;
    expect(prod.network).toMatchObject({ az_count: 3, nat_gateway_mode: 'per-az' });
    expect(prod.cluster.control_plane.count).toBe(3);
    for (const group of prod.cluster.node_groups) expect(group.min).toBeGreaterThanOrEqual(3);
  });

  it('live in one AWS account, with one state bucket', () => {
    expect(accountErrors(environments)).toEqual([]);
    expect(new Set(environments.map((e) => e.env.terraform.state_bucket)).size).toBe(1);
  });

  it("never open prod's Kubernetes API to the internet, and run prod's DocumentDB on two instances", () => {
    const prod = environments.find((e) => e.name === 'prod')!.env;
    expect(prod.cluster.api_access).not.toContain('0.0.0.0/0');
    expect(prod.mongodb.documentdb?.instance_count).toBeGreaterThanOrEqual(2);
  });

  it("keep dev's in-cluster MongoDB capacity on demand", () => {
    const dev = environments.find((e) => e.name === 'dev')!.env;
    expect(dev.mongodb.mode).toBe('in-cluster');
    expect(dev.cluster.node_groups.some((group) => !group.spot)).toBe(true);
  });

  it('start with no release (honest bootstrap state, no invented digests)', () => {
    for (const environment of environments) expect(environment.release.services).toEqual({});
  });

  it('load the Helm overrides as a mapping', () => {
    const dev = environments.find((e) => e.name === 'dev')!;
    expect(dev.values).toMatchObject({
      mongodb: { enabled: true },
      services: { web: { replicas: 1 } },
    });
  });
});

describe('broken environment copies', () => {
  let root: string;
  beforeEach(() => {
    root = copyOfEnvironments();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('names a missing field', () => {
    edit(root, 'dev/env.yaml', (doc) => doc.deleteIn(['aws', 'region']));
    expect(errorsOf(() => loadEnvironment(root, 'dev'))).toEqual([
      'environments/dev/env.yaml: /aws/region is required',
    ]);
  });

  it('rejects az_count 6 with the rule', () => {
    edit(root, 'prod/env.yaml', (doc) => doc.setIn(['network', 'az_count'], 6));
    expect(errorsOf(() => loadEnvironment(root, 'prod'))).toContain(
      'environments/prod/env.yaml: /network/az_count must be <= 5',
    );
  });

  it.each(['10.10.0.0', '10.10.0.1/16', '10.10.0.0/8', '300.1.0.0/16'])(
    'rejects the VPC CIDR %s',
    (cidr) => {
      edit(root, 'dev/env.yaml', (doc) => doc.setIn(['network', 'vpc_cidr'], cidr));
      expect(errorsOf(() => loadEnvironment(root, 'dev'))).toEqual([
        'environments/dev/env.yaml: /network/vpc_cidr must be an IPv4 network in CIDR notation with a /16 to /24 prefix and no host bits set',
      ]);
    },
  );

  it('rejects an unknown key, naming it', () => {
    edit(root, 'staging/env.yaml', (doc) => doc.setIn(['network', 'nat_gateways'], 2));
    expect(errorsOf(() => loadEnvironment(root, 'staging'))).toEqual([
      'environments/staging/env.yaml: /network/nat_gateways is not an allowed key (unknown keys are errors)',
    ]);
  });

  it('requires promotion.from in prod', () => {
    edit(root, 'prod/env.yaml', (doc) => doc.setIn(['promotion', 'from'], null));
    expect(errorsOf(() => loadEnvironment(root, 'prod'))).toEqual([
      'environments/prod/env.yaml: /promotion/from is required for prod: it must be "staging"',
    ]);
    edit(root, 'prod/env.yaml', (doc) => doc.deleteIn(['promotion', 'from']));
    expect(errorsOf(() => loadEnvironment(root, 'prod'))).toEqual([
      'environments/prod/env.yaml: /promotion/from is required',
    ]);
  });

  it('requires promotion.from to be the previous environment', () => {
    edit(root, 'prod/env.yaml', (doc) => doc.setIn(['promotion', 'from'], 'dev'));
    expect(errorsOf(() => loadEnvironment(root, 'prod'))[0]).toMatch(
      /^environments\/prod\/env.yaml: \/promotion\/from must be "staging"/,
    );
  });

  it('rejects a release naming an unknown service', () => {
    edit(root, 'dev/release.yaml', (doc) => doc.setIn(['services', 'frontend'], { tag: sha('a') }));
    expect(errorsOf(() => loadEnvironment(root, 'dev'))).toEqual([
      'environments/dev/release.yaml: /services/frontend is not an allowed key (unknown keys are errors)',
    ]);
  });

  it('requires digests in staging and prod but not in dev', () => {
    edit(root, 'dev/release.yaml', (doc) => doc.setIn(['services', 'web'], { tag: sha('a') }));
    edit(root, 'staging/release.yaml', (doc) => doc.setIn(['services', 'web'], { tag: sha('a') }));
    edit(root, 'prod/release.yaml', (doc) =>
      doc.setIn(['services', 'auth'], { tag: sha('b'), digest: digest('c') }),
    );
    expect(loadEnvironment(root, 'dev').release.services.web).toEqual({ tag: sha('a') });
    expect(loadEnvironment(root, 'prod').release.services.auth).toEqual({
      tag: sha('b'),
      digest: digest('c'),
    });
    expect(errorsOf(() => loadEnvironment(root, 'staging'))).toEqual([
      'environments/staging/release.yaml: /services/web/digest is required in staging: promoted images are pinned by digest',
    ]);
  });

  it('rejects a tag that is not a git sha and a malformed digest', () => {
    edit(root, 'prod/release.yaml', (doc) =>
      doc.setIn(['services', 'web'], { tag: 'latest', digest: 'sha256:abc' }),
    );
    expect(errorsOf(() => loadEnvironment(root, 'prod'))).toEqual([
      'environments/prod/release.yaml: /services/web/tag must be the 40-hex git commit sha the image was built from',
      'environments/prod/release.yaml: /services/web/digest must be the image digest, sha256: followed by 64 hex digits',
    ]);
  });

  it.each<[string, string, (doc: ReturnType<typeof parseDocument>) => void, string]>([
    [
      'staging',
      'a name that differs from the folder',
      (d) => d.set('name', 'stage'),
      '/name must equal the folder name "staging" (got "stage")',
    ],
    [
      'staging',
      'auto_deploy outside dev',
      (d) => d.setIn(['promotion', 'auto_deploy'], true),
      '/promotion/auto_deploy may be true only for dev',
    ],
    [
      'dev',
      'promotion.from in dev',
      (d) => d.setIn(['promotion', 'from'], 'prod'),
      '/promotion/from must be null: dev is the first environment',
    ],
    [
      'dev',
      'a gossip cluster name without .k8s.local',
      (d) => d.setIn(['cluster', 'name'], 'dev.movies.example.com'),
      '/cluster/name must end in ".k8s.local"',
    ],
    [
      'dev',
      'a cluster name outside its DNS zone',
      (d) => d.setIn(['cluster', 'dns_zone'], 'movies.example.com'),
      '/cluster/name must be a name inside /cluster/dns_zone "movies.example.com"',
    ],
    [
      'staging',
      'two control planes',
      (d) => d.setIn(['cluster', 'control_plane', 'count'], 2),
      '/cluster/control_plane/count must be 1 or an odd number >= 3',
    ],
    [
      'staging',
      'three control planes in two AZs',
      (d) => d.setIn(['cluster', 'control_plane', 'count'], 3),
      '/cluster/control_plane/count must be <= /network/az_count (2)',
    ],
    [
      'dev',
      'a node group with min > max',
      (d) => d.setIn(['cluster', 'node_groups', 0, 'min'], 5),
      '/cluster/node_groups/0/min must be <= max (5 > 3)',
    ],
    [
      'prod',
      'a single NAT gateway in prod',
      (d) => d.setIn(['network', 'nat_gateway_mode'], 'single'),
      '/network/nat_gateway_mode must be "per-az" in prod',
    ],
    [
      'dev',
      'an unknown NAT mode',
      (d) => d.setIn(['network', 'nat_gateway_mode'], 'none'),
      '/network/nat_gateway_mode must be one of: "single", "per-az"',
    ],
    [
      'prod',
      "prod's Kubernetes API open to the internet",
      (d) => d.setIn(['cluster', 'api_access'], ['198.51.100.0/24', '0.0.0.0/0']),
      "/cluster/api_access/1 must be a CIDR other than 0.0.0.0/0 (prod's Kubernetes API is never open to the whole internet)",
    ],
    [
      'staging',
      'an API access entry that is not a CIDR',
      (d) => d.setIn(['cluster', 'api_access'], ['10.0.0.0/33']),
      '/cluster/api_access/0 must be an IPv4 CIDR such as 203.0.113.0/24',
    ],
    [
      'dev',
      'no API access list',
      (d) => d.deleteIn(['cluster', 'api_access']),
      '/cluster/api_access is required',
    ],
    [
      'dev',
      'an empty API access list',
      (d) => d.setIn(['cluster', 'api_access'], []),
      '/cluster/api_access must NOT have fewer than 1 items',
    ],
    [
      'prod',
      'the removed bastion',
      (d) => d.setIn(['cluster', 'bastion'], true),
      '/cluster/bastion is not an allowed key',
    ],
    [
      'dev',
      'SSM access that is not a boolean',
      (d) => d.setIn(['cluster', 'ssm_access'], 'yes'),
      '/cluster/ssm_access must be of type boolean',
    ],
    [
      'staging',
      'DocumentDB without its size',
      (d) => d.deleteIn(['mongodb', 'documentdb']),
      '/mongodb/documentdb is required',
    ],
    [
      'prod',
      'a single DocumentDB instance in prod',
      (d) => d.setIn(['mongodb', 'documentdb', 'instance_count'], 1),
      '/mongodb/documentdb/instance_count must be >= 2',
    ],
    [
      'staging',
      'seventeen DocumentDB instances',
      (d) => d.setIn(['mongodb', 'documentdb', 'instance_count'], 17),
      '/mongodb/documentdb/instance_count must be <= 16',
    ],
    [
      'staging',
      'an instance class that is not one',
      (d) => d.setIn(['mongodb', 'documentdb', 'instance_class'], 't3.medium'),
      '/mongodb/documentdb/instance_class must be a DocumentDB instance class such as db.t4g.medium or db.r6g.large',
    ],
    [
      'staging',
      'DocumentDB in one availability zone',
      (d) => d.setIn(['network', 'az_count'], 1),
      '/network/az_count must be >= 2',
    ],
    [
      'dev',
      'an in-cluster MongoDB with only spot nodes',
      (d) => d.setIn(['cluster', 'node_groups', 1, 'spot'], true),
      '/cluster/node_groups must contain a node group that is not spot (the in-cluster MongoDB runs on on-demand nodes)',
    ],
    [
      'dev',
      'an account id as a number',
      (d) => d.setIn(['aws', 'account_id'], 111111111111),
      '/aws/account_id must be of type string',
    ],
  ])('%s: rejects %s', (environment, _what, change, message) => {
    edit(root, `${environment}/env.yaml`, change);
    const errors = errorsOf(() => loadEnvironment(root, environment));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.startsWith(`environments/${environment}/env.yaml: ${message}`)).toBe(true);
  });

  it('fills schema defaults: node groups are T3 on-demand unless told otherwise', () => {
    edit(root, 'dev/env.yaml', (doc) => {
      doc.deleteIn(['cluster', 'node_groups', 0, 'instance_type']);
      doc.deleteIn(['cluster', 'node_groups', 0, 'spot']);
      doc.deleteIn(['cluster', 'ssm_access']);
    });
    edit(root, 'staging/env.yaml', (doc) =>
      doc.deleteIn(['mongodb', 'documentdb', 'instance_class']),
    );
    const dev = loadEnvironment(root, 'dev').env;
    expect(dev.cluster.node_groups[0]).toMatchObject({ instance_type: 't3.medium', spot: false });
    expect(dev.cluster.ssm_access).toBe(true);
    expect(loadEnvironment(root, 'staging').env.mongodb.documentdb).toEqual({
      instance_count: 1,
      instance_class: 'db.t4g.medium',
      deletion_protection: true,
    });
  });

  it('refuses environments in different AWS accounts, naming each file', () => {
    edit(root, 'prod/env.yaml', (doc) => doc.setIn(['aws', 'account_id'], '333333333333'));
    // actions/lib's loader refuses it (the rule every action applies), naming the file.
    expect(errorsOf(() => loadEnvironments(root))).toContain(
      'environments/prod/env.yaml: /aws/account_id must be the one AWS account of every environment, "111111111111" as in environments/dev/env.yaml (got "333333333333")',
    );
  });

  it('reports YAML syntax errors with the line', () => {
    fs.appendFileSync(path.join(root, 'environments/dev/env.yaml'), 'network: [unclosed\n');
    expect(errorsOf(() => loadEnvironment(root, 'dev'))[0]).toMatch(
      /^environments\/dev\/env.yaml: invalid YAML: .* at line \d+, column \d+$/,
    );
  });

  it('lists every error of every environment at once, plus rules between environments', () => {
    edit(root, 'dev/env.yaml', (doc) => doc.setIn(['network', 'az_count'], 0));
    edit(root, 'prod/env.yaml', (doc) => doc.setIn(['network', 'vpc_cidr'], '10.20.128.0/17'));
    fs.rmSync(path.join(root, 'environments/staging/values.yaml'));
    const errors = errorsOf(() => loadEnvironments(root));
    expect(errors).toEqual([
      'environments/dev/env.yaml: /network/az_count must be >= 1',
      'environments/staging/values.yaml: / file is missing',
    ]);
    fs.writeFileSync(path.join(root, 'environments/staging/values.yaml'), '{}\n');
    edit(root, 'dev/env.yaml', (doc) => doc.setIn(['network', 'az_count'], 2));
    expect(errorsOf(() => loadEnvironments(root))).toEqual([
      "environments/prod/env.yaml: /network/vpc_cidr must not overlap staging's 10.20.0.0/16 (got 10.20.128.0/17)",
    ]);
  });

  it('requires every environment of the promotion order', () => {
    fs.rmSync(path.join(root, 'environments/staging'), { recursive: true });
    expect(errorsOf(() => loadEnvironments(root))[0]).toMatch(
      /^environments\/staging\/env.yaml: \/ file is missing/,
    );
    expect(errorsOf(() => loadEnvironment(root, 'staging'))).toEqual([
      'environments/staging: no such environment (known: dev, staging, prod)',
    ]);
  });
});
