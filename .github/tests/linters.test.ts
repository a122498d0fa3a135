// actionlint (with shellcheck for the run: scripts) on every workflow and checkov's
// github_actions and dockerfile frameworks on .github/ and the service Dockerfiles: no
// findings, and every checkov skip carries a reason. Both run offline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool as run } from '@movies/testing';

const SERVICES = ['auth', 'data', 'recommendation', 'web'];

describe('actionlint', () => {
  it('reports nothing for .github/workflows, with shellcheck on the run: scripts', async () => {
    const result = await run('actionlint', [
      '-format',
      '{{range $err := .}}{{json $err}}\n{{end}}',
    ]);
    const findings = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const e = JSON.parse(line) as {
          filepath: string;
          line: number;
          column: number;
          kind: string;
          message: string;
        };
        return `${e.filepath}:${e.line}:${e.column} [${e.kind}] ${e.message}`;
      });
    expect(findings).toEqual([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it('does report a broken workflow (the check can fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actionlint-'));
    try {
      const file = path.join(dir, 'bad.yml');
      fs.writeFileSync(
        file,
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}" $UNQUOTED\n',
      );
      const result = await run('actionlint', [
        '-format',
        '{{range $err := .}}{{$err.Kind}}\n{{end}}',
        file,
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout.split('\n')).toEqual(
        expect.arrayContaining(['expression', 'shellcheck']),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

interface CheckovReport {
  check_type: string;
  results: {
    failed_checks: Array<{ check_id: string; resource: string; file_path: string }>;
    skipped_checks: Array<{
      check_id: string;
      file_path: string;
      check_result: { suppress_comment?: string };
    }>;
  };
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
}

describe('checkov', () => {
  // --skip-download: checkov must not call its vendor's API (no traffic leaves the machine).
  it('github_actions on .github and dockerfile on the service Dockerfiles: no failed check, every skip with a reason', async () => {
    const files = SERVICES.flatMap((service) => ['-f', `services/${service}/Dockerfile`]);
    const [actions, dockerfiles] = await Promise.all([
      run('checkov', [
        '-d',
        '.github',
        '--framework',
        'github_actions',
        '--compact',
        '--quiet',
        '--skip-download',
        '-o',
        'json',
      ]),
      run('checkov', [
        ...files,
        '--framework',
        'dockerfile',
        '--compact',
        '--skip-download',
        '-o',
        'json',
      ]),
    ]);
    const reports = [actions, dockerfiles].flatMap((result) => {
      const text = result.stdout.slice(result.stdout.search(/[[{]/));
      const parsed = JSON.parse(text) as CheckovReport | CheckovReport[];
      return Array.isArray(parsed) ? parsed : [parsed];
    });
    for (const framework of ['github_actions', 'dockerfile']) {
      const report = reports.find((r) => r.check_type === framework);
      expect(report).toBeDefined();
      expect(
        (report!.results.failed_checks ?? []).map(
          (c) => `${c.check_id} ${c.file_path} ${c.resource}`,
        ),
      ).toEqual([]);
      expect(report!.summary.parsing_errors).toBe(0);
      expect(report!.summary.passed).toBeGreaterThan(framework === 'dockerfile' ? 4 * 20 : 100);
      for (const skipped of report!.results.skipped_checks ?? []) {
        // "CKV_X_1 <a reason of a few words>"
        expect(`${skipped.check_id} ${skipped.check_result.suppress_comment ?? ''}`).toMatch(
          /^\S+ \S+ \S+ \S+/,
        );
      }
    }
  }, 180_000);
});
