// The chart through helm lint, strict Kubernetes schema validation, kube-score and checkov, for
// the defaults, the local example, every optional part switched on and every environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '@movies/testing';
import {
  chartDir,
  helm,
  kubeVersion,
  lintedValuesSets,
  render,
  valuesArgs,
  type ValuesSet,
} from './render';

interface Run {
  code: number;
  output: string;
}

async function run(tool: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  const result = await runTool(tool, args, { env });
  return { code: result.code, output: result.stdout + result.stderr };
}

/** chart/kube-score.ignore: `<check id>  <reason>` per line, # comments. */
function kubeScoreIgnores(): { check: string; reason: string }[] {
  return fs
    .readFileSync(path.join(chartDir, 'kube-score.ignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [check = '', ...reason] = line.split(/\s+/);
      return { check, reason: reason.join(' ') };
    });
}

const sets: ValuesSet[] = lintedValuesSets();
const fileName = (set: ValuesSet) =>
  `${set.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.yaml`;
let workDir: string;
const rendered = new Map<string, string>();

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-linters-'));
  for (const set of sets) {
    const file = path.join(workDir, fileName(set));
    fs.writeFileSync(file, (await render(set)).text);
    rendered.set(set.name, file);
  }
}, 60_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe.each(sets.map((set) => [set.name, set] as const))('values: %s', (_name, set) => {
  it('passes helm lint --strict', async () => {
    const result = await helm([
      'lint',
      chartDir,
      '--strict',
      '--kube-version',
      kubeVersion,
      ...valuesArgs(set),
    ]);
    expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  it(`validates against the Kubernetes ${kubeVersion} schemas, unknown fields rejected`, async () => {
    const result = await run('kubernetes-validate', [
      '--strict',
      '--kubernetes-version',
      kubeVersion,
      rendered.get(set.name)!,
    ]);
    const problems = result.output.split('\n').filter((line) => /^(ERROR|WARN)/.test(line));
    expect(problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/passed for resource deployment\//);
  }, 60_000);

  it('has no kube-score warnings or critical findings beyond the justified ignores', async () => {
    const ignores = kubeScoreIgnores().flatMap(({ check }) => ['--ignore-test', check]);
    const result = await run('kube-score', [
      'score',
      '--output-format',
      'ci',
      '--kubernetes-version',
      `v${kubeVersion.split('.').slice(0, 2).join('.')}`,
      '--exit-one-on-warning',
      ...ignores,
      rendered.get(set.name)!,
    ]);
    const findings = result.output
      .split('\n')
      .filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
    expect(findings).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^\[OK\] movies-web\/movies apps\/v1\/Deployment/m);
  }, 30_000);
});

describe('kube-score ignores', () => {
  it('each name a real kube-score check and carry a one-line reason', async () => {
    const known = (await run('kube-score', ['list'])).output;
    for (const ignore of kubeScoreIgnores()) {
      expect({
        check: ignore.check,
        known: known.split('\n').some((line) => line.split(',')[0] === ignore.check),
      }).toEqual({ check: ignore.check, known: true });
      expect({ check: ignore.check, reason: ignore.reason.length > 20 }).toEqual({
        check: ignore.check,
        reason: true,
      });
    }
  });
});

interface CheckovReport {
  check_type: string;
  results: {
    failed_checks: { check_id: string; resource: string; file_path: string }[];
    skipped_checks: { check_id: string; check_result: { suppress_comment?: string } }[];
  };
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
}

function checkovReports(output: string): CheckovReport[] {
  const parsed = JSON.parse(
    output.slice(output.indexOf(output.trimStart().startsWith('[') ? '[' : '{')),
  ) as CheckovReport | CheckovReport[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

function expectCheckovClean(reports: CheckovReport[], framework: string) {
  const report = reports.find((r) => r.check_type === framework);
  expect(report).toBeDefined();
  expect(report!.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`)).toEqual([]);
  expect(report!.summary.parsing_errors).toBe(0);
  expect(report!.summary.passed).toBeGreaterThan(100);
  for (const skipped of report!.results.skipped_checks) {
    expect(`${skipped.check_id} ${skipped.check_result.suppress_comment ?? ''}`).toMatch(
      /^\S+ \S+ \S+ \S+/,
    );
  }
}

describe('checkov', () => {
  // No traffic leaves the machine: --skip-download keeps checkov off its vendor's API, the
  // variables below skip its package update check and guideline mapping.
  const offline = ['--compact', '--skip-download', '-o', 'json'];
  const offlineEnv = { CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', BC_SKIP_MAPPING: 'true' };

  it('helm framework on the chart (defaults): no failed check, every skip with a reason', async () => {
    const result = await run(
      'checkov',
      ['-d', chartDir, '--framework', 'helm', ...offline],
      offlineEnv,
    );
    expectCheckovClean(checkovReports(result.output), 'helm');
  }, 120_000);

  it('kubernetes framework on every rendered values set: no failed check', async () => {
    const result = await run(
      'checkov',
      ['-d', workDir, '--framework', 'kubernetes', ...offline],
      offlineEnv,
    );
    const reports = checkovReports(result.output);
    expectCheckovClean(reports, 'kubernetes');
    expect(reports.find((r) => r.check_type === 'kubernetes')!.summary.passed).toBeGreaterThan(
      sets.length * 100,
    );
  }, 120_000);
});
