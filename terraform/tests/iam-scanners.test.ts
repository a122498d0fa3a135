// Every IAM document of modules/github-oidc, rendered as templatefile() renders it for each
// environment, scanned by Cloudsplaining and parliament (the pinned pip tools of the toolchain).
// Cloudsplaining's default mode must find no privilege escalation and no resource exposure;
// every finding of its strict mode and of parliament (MEDIUM and above, community auditors on)
// must be accepted in iam/accepted-findings.json with a reason and the test that proves the
// constraint the scanner cannot read, and every accepted entry must still be needed. Neither
// scanner evaluates conditions: that is the evaluator's job (iam.test.ts, iam-kops-calls.test.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolPath } from '@movies/testing';
import {
  ENVIRONMENTS,
  applyRole,
  flowLogsWritePolicy,
  imagePushRole,
  kopsBoundary,
  planRole,
  workloadBoundary,
  type PolicyDocument,
} from './iam/policies';

jest.setTimeout(180_000);

interface ScanReport {
  cloudsplaining: Record<string, string[]>;
  cloudsplainingStrict: Record<string, string[]>;
  parliament: Array<{ issue: string; severity: string; actions: string[]; detail: string }>;
}

interface Accepted {
  tool: 'cloudsplaining' | 'parliament';
  finding: string;
  documents: string[];
  actions: string[];
  why: string;
  provenBy: string;
}

const SEVERE = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);
const HIGH_RISKS = ['PrivilegeEscalation', 'ResourceExposure'];

/** Every identity policy and boundary the modules create, by the name IAM gives it. */
function documents(): Record<string, PolicyDocument> {
  const out: Record<string, PolicyDocument> = {};
  for (const environment of ENVIRONMENTS) {
    for (const policy of applyRole(environment).policies) out[policy.name] = policy.document;
    out[`movies-plan-${environment}`] = planRole(environment).policies[0]!.document;
    out[`kops-boundary-${environment}`] = kopsBoundary(environment);
    out[`movies-${environment}-vpc-flow-logs`] = flowLogsWritePolicy(environment);
  }
  out['image-push'] = imagePushRole().policies[0]!.document;
  out['workload-boundary'] = workloadBoundary();
  return out;
}

/** Runs iam/scan-policies.py with the toolchain's Python (the venv Cloudsplaining lives in). */
function scan(docs: Record<string, unknown>): Record<string, ScanReport> {
  const python = path.join(path.dirname(fs.realpathSync(toolPath('cloudsplaining'))), 'python');
  const output = execFileSync(python, [path.join(__dirname, 'iam', 'scan-policies.py')], {
    input: JSON.stringify(docs),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output.toString('utf8')) as Record<string, ScanReport>;
}

const accepted = (
  JSON.parse(fs.readFileSync(path.join(__dirname, 'iam', 'accepted-findings.json'), 'utf8')) as {
    accepted: Accepted[];
  }
).accepted;

const matchesDocument = (entry: Accepted, name: string) =>
  entry.documents.some((pattern) =>
    new RegExp(`^${pattern.replace('<env>', '(dev|staging|prod)')}$`).test(name),
  );

/** Findings no accepted entry covers, and the entries nothing needed. */
function unaccepted(reports: Record<string, ScanReport>): { open: string[]; used: Set<Accepted> } {
  const open: string[] = [];
  const used = new Set<Accepted>();
  const accept = (tool: Accepted['tool'], name: string, finding: string, action: string) => {
    const entry = accepted.find(
      (e) =>
        e.tool === tool &&
        e.finding === finding &&
        matchesDocument(e, name) &&
        (action === '' ? e.actions.length === 0 : e.actions.includes(action)),
    );
    if (entry) used.add(entry);
    else open.push(`${tool} ${finding} in ${name}: ${action || '(no action)'}`);
  };
  for (const [name, report] of Object.entries(reports)) {
    for (const risk of HIGH_RISKS)
      for (const action of report.cloudsplainingStrict[risk] ?? [])
        accept('cloudsplaining', name, risk, action);
    for (const finding of report.parliament.filter((f) => SEVERE.has(f.severity))) {
      if (finding.actions.length === 0) accept('parliament', name, finding.issue, '');
      for (const action of finding.actions) accept('parliament', name, finding.issue, action);
    }
  }
  return { open, used };
}

describe('IAM scanners on every identity policy and boundary the modules create', () => {
  let reports: Record<string, ScanReport>;
  beforeAll(() => {
    reports = scan(documents());
  });

  it('scans every document the module renders for each environment', () => {
    expect(Object.keys(reports).sort()).toEqual(Object.keys(documents()).sort());
    expect(Object.keys(reports)).toHaveLength(ENVIRONMENTS.length * 7 + 2);
  });

  it('Cloudsplaining (default mode) finds no privilege escalation and no resource exposure', () => {
    const findings = Object.entries(reports).flatMap(([name, report]) =>
      HIGH_RISKS.flatMap((risk) =>
        (report.cloudsplaining[risk] ?? []).map((action) => `${name}: ${risk} ${action}`),
      ),
    );
    expect(findings).toEqual([]);
  });

  it('every strict Cloudsplaining and MEDIUM+ parliament finding is accepted with a reason, and no acceptance is stale', () => {
    const { open, used } = unaccepted(reports);
    expect(open).toEqual([]);
    expect(accepted.filter((entry) => !used.has(entry)).map((e) => e.finding)).toEqual([]);
  });

  it('every acceptance names a reason and a test that exists', () => {
    for (const entry of accepted) {
      expect(entry.why.length).toBeGreaterThan(40);
      for (const reference of entry.provenBy.split(';').map((r) => r.trim())) {
        const [file, title] = reference.split(/:\s+/, 2) as [string, string];
        const source = fs.readFileSync(path.join(__dirname, file), 'utf8');
        expect([reference, source.includes(title.replace('<env>', '${name}'))]).toEqual([
          reference,
          true,
        ]);
      }
    }
  });

  it('the scanners catch the old escalation: kOps roles with any trust and no boundary', () => {
    // The KopsInstanceRoles statement terraform/modules/github-oidc had before the boundary.
    const old: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'KopsInstanceRoles',
          Effect: 'Allow',
          Action: [
            'iam:CreateRole',
            'iam:PutRolePolicy',
            'iam:UpdateAssumeRolePolicy',
            'iam:AddRoleToInstanceProfile',
            'iam:CreateInstanceProfile',
          ],
          Resource: [
            'arn:aws:iam::111111111111:role/*.dev.*',
            'arn:aws:iam::111111111111:instance-profile/*.dev.*',
          ],
        },
      ],
    };
    const report = scan({ old })['old']!;
    // Default mode trusts any resource ARN (role/*.dev.*), so only strict mode sees it.
    expect(report.cloudsplaining.PrivilegeEscalation).toEqual([]);
    expect(report.cloudsplainingStrict.PrivilegeEscalation).toEqual([
      'iam:putrolepolicy',
      'iam:updateassumerolepolicy',
    ]);
    // UpdateAssumeRolePolicy is accepted nowhere; PutRolePolicy without the boundary condition is
    // refused by the evaluator (iam.test.ts), which reads the conditions the scanners cannot.
    const { open } = unaccepted({ 'movies-apply-dev-kops': report });
    expect(open).toEqual(
      expect.arrayContaining([
        'cloudsplaining PrivilegeEscalation in movies-apply-dev-kops: iam:updateassumerolepolicy',
      ]),
    );
  });
});
