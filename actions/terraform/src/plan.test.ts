import fs from 'node:fs';
import path from 'node:path';
import {
  actionKind,
  canonicalJson,
  countChanges,
  destructiveChanges,
  planHash,
  plannedChanges,
  type PlanDocument,
} from './plan';

const load = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8')) as PlanDocument;

describe('plan summary', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
  ])('%j is a %s', (actions, kind) => {
    expect(actionKind(actions)).toBe(kind);
  });

  it('counts as terraform does: a replacement adds one and destroys one', () => {
    expect(countChanges(load('plan-mixed.json'))).toEqual({
      add: 2,
      change: 2,
      destroy: 3,
      replace: 1,
      outputs: 2,
    });
    expect(countChanges(load('plan-create.json'))).toEqual({
      add: 10,
      change: 0,
      destroy: 0,
      replace: 0,
      outputs: 5,
    });
    expect(countChanges(load('plan-no-changes.json'))).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      replace: 0,
      outputs: 0,
    });
  });

  it('lists destroyed and replaced resources', () => {
    expect(destructiveChanges(load('plan-mixed.json')).map((r) => r.address)).toEqual([
      'module.network.aws_subnet.private["eu-west-1a"]',
      'module.network.aws_nat_gateway.this["eu-west-1b"]',
      'module.network.aws_eip.nat["eu-west-1b"]',
    ]);
  });
});

describe('plan hash', () => {
  it('ignores the timestamp, terraform version, prior state and key order', () => {
    const plan = load('plan-mixed.json');
    const replanned: PlanDocument = JSON.parse(canonicalJson(plan));
    replanned.timestamp = '2026-11-24T08:00:00Z';
    replanned.terraform_version = '1.8.6';
    replanned.prior_state = { values: { different: true } };
    expect(planHash(replanned)).toBe(planHash(plan));
    expect(planHash(plan)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a resource change or an output change differs', () => {
    const plan = load('plan-mixed.json');
    const otherCidr = load('plan-mixed.json');
    (otherCidr.resource_changes![2]!.change.after as { cidr_block: string }).cidr_block =
      '10.20.192.0/18';
    const otherOutput = load('plan-mixed.json');
    otherOutput.output_changes!.nat_gateway_ids!.after = [];
    const hashes = new Set([planHash(plan), planHash(otherCidr), planHash(otherOutput)]);
    expect(hashes.size).toBe(3);
  });

  it('covers only the planned changes: refreshed values the plan leaves alone do not change it', () => {
    const plan = load('plan-mixed.json');
    const refreshed = load('plan-mixed.json');
    const byAddress = (address: string) =>
      refreshed.resource_changes!.find((r) => r.address === address)!.change;
    // A resource without changes whose refreshed state moved (a tag someone added by hand).
    const gateway = byAddress('module.network.aws_internet_gateway.this');
    (gateway.before as Record<string, unknown>).tags_all = { Owner: 'someone' };
    (gateway.after as Record<string, unknown>).tags_all = { Owner: 'someone' };
    // An updated resource: an attribute the update does not touch was refreshed.
    const vpc = byAddress('module.network.aws_vpc.this');
    (vpc.before as Record<string, unknown>).default_route_table_id = 'rtb-0refreshed';
    (vpc.after as Record<string, unknown>).default_route_table_id = 'rtb-0refreshed';
    // A data source read again returns other values.
    const zones = byAddress('module.network.data.aws_availability_zones.available');
    zones.after = { names: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1d'] };
    // A destroyed resource's last known attributes.
    const eip = byAddress('module.network.aws_eip.nat["eu-west-1b"]');
    (eip.before as Record<string, unknown>).public_ip = '203.0.113.99';
    expect(planHash(refreshed)).toBe(planHash(plan));
  });

  it('never hashes a sensitive value: it stays a (sensitive) marker', () => {
    const plan = load('plan-mixed.json');
    const docdb = plan.resource_changes!.find((r) => r.address.includes('aws_docdb_cluster'))!;
    expect(JSON.stringify(plannedChanges(plan))).not.toContain('Pa55word');
    expect(JSON.stringify(plannedChanges(plan))).toContain('(sensitive)');
    expect(docdb.change.actions).toEqual(['update']);
  });

  it('serialises canonically', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true, skipped: undefined })).toBe(
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
  });
});
