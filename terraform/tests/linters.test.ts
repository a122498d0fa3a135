// The pinned static checkers: terraform fmt, tflint (bundled terraform ruleset only) and checkov.
// None of them needs a provider download or network access.
jest.setTimeout(120_000);

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '@movies/testing';
import { ALL_DIRS, copyTerraformTree, replaceOnce, terraformDir, terraformRoot } from './layout';

const run = promisify(execFile);

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runTool(command: string, args: string[], cwd: string): Promise<RunResult> {
  // No CLI config, no checkpoint calls, no telemetry: these tools must stay on this machine.
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: '/dev/null',
    CHECKPOINT_DISABLE: '1',
    TFLINT_DISABLE_VERSION_CHECK: '1',
    BC_SKIP_MAPPING: 'TRUE',
  };
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface TflintReport {
  issues: {
    rule: { name: string };
    message: string;
    range: { filename: string; start: { line: number } };
  }[];
  errors: { message: string }[];
}

async function tflint(dir: string): Promise<TflintReport> {
  const result = await runTool(
    toolPath('tflint'),
    [
      `--chdir=${dir}`,
      `--config=${path.join(terraformRoot, '.tflint.hcl')}`,
      '--format=json',
      '--no-color',
    ],
    repoRoot,
  );
  try {
    return JSON.parse(result.stdout) as TflintReport;
  } catch {
    throw new Error(
      `tflint in ${dir} exited ${result.code} without JSON:\n${result.stdout}\n${result.stderr}`,
    );
  }
}

function describeIssues(report: TflintReport): string[] {
  return [
    ...report.errors.map((error) => `error: ${error.message}`),
    ...report.issues.map(
      (issue) =>
        `${issue.range.filename}:${issue.range.start.line} ${issue.rule.name}: ${issue.message}`,
    ),
  ];
}

describe('terraform fmt', () => {
  it('every .tf file is formatted', async () => {
    const result = await runTool(
      toolPath('terraform'),
      ['fmt', '-check', '-recursive', '-diff', 'terraform'],
      repoRoot,
    );
    expect({ code: result.code, diff: result.stdout }).toEqual({ code: 0, diff: '' });
  });

  it('reports a badly formatted file', async () => {
    const tree = copyTerraformTree();
    try {
      replaceOnce(
        path.join(tree.root, 'global/outputs.tf'),
        '  value       = module.ecr.registry',
        '  value = module.ecr.registry',
      );
      const result = await runTool(
        toolPath('terraform'),
        ['fmt', '-check', '-recursive', tree.root],
        repoRoot,
      );
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('outputs.tf');
    } finally {
      tree.remove();
    }
  });
});

describe('tflint (terraform ruleset, recommended preset plus documentation and structure rules)', () => {
  it.each(ALL_DIRS)('%s: no issues', async (dir) => {
    expect(describeIssues(await tflint(terraformDir(dir)))).toEqual([]);
  });

  it('reports an undocumented, untyped and unused variable', async () => {
    const tree = copyTerraformTree();
    try {
      fs.appendFileSync(
        path.join(tree.root, 'modules/ecr/variables.tf'),
        '\nvariable "unused_Thing" {}\n',
      );
      const rules = (await tflint(path.join(tree.root, 'modules/ecr'))).issues.map(
        (issue) => issue.rule.name,
      );
      expect(rules).toEqual(
        expect.arrayContaining([
          'terraform_documented_variables',
          'terraform_typed_variables',
          'terraform_unused_declarations',
          'terraform_naming_convention',
        ]),
      );
    } finally {
      tree.remove();
    }
  });
});

interface CheckovReport {
  check_type: string;
  results: {
    failed_checks: {
      check_id: string;
      resource: string;
      file_path: string;
      file_line_range: number[];
    }[];
    skipped_checks: {
      check_id: string;
      resource: string;
      check_result: { suppress_comment?: string };
    }[];
  };
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
}

describe('checkov', () => {
  it('finds no failed check in terraform/; every skip carries a reason', async () => {
    const result = await runTool(
      toolPath('checkov'),
      // Without --quiet so the report lists skipped checks with their reasons.
      ['-d', 'terraform', '--framework', 'terraform', '--compact', '--skip-download', '-o', 'json'],
      repoRoot,
    );
    const parsed = JSON.parse(result.stdout) as CheckovReport | CheckovReport[];
    const report = (Array.isArray(parsed) ? parsed : [parsed]).find(
      (entry) => entry.check_type === 'terraform',
    );
    expect(report).toBeDefined();
    const failed = report!.results.failed_checks.map(
      (check) =>
        `${check.check_id} ${check.resource} ${check.file_path}:${check.file_line_range.join('-')}`,
    );
    expect(failed).toEqual([]);
    expect(report!.summary.parsing_errors).toBe(0);
    expect(report!.summary.passed).toBeGreaterThan(200);
    const unexplained = report!.results.skipped_checks.filter(
      (check) => (check.check_result.suppress_comment ?? '').trim().length < 20,
    );
    expect(unexplained.map((check) => `${check.check_id} ${check.resource}`)).toEqual([]);
  }, 240_000);

  it('every inline skip names a check and gives a one-line reason', () => {
    const skips: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== 'tests') walk(full);
        else if (entry.name.endsWith('.tf')) {
          for (const line of fs.readFileSync(full, 'utf8').split('\n')) {
            if (line.includes('checkov:skip')) skips.push(line.trim());
          }
        }
      }
    };
    walk(terraformRoot);
    expect(skips.length).toBeGreaterThan(0);
    expect(skips.filter((line) => !/^#checkov:skip=CKV2?_AWS_\d+:.{20,}$/.test(line))).toEqual([]);
  });
});
