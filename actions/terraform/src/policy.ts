import fs from 'node:fs';
import { runCli } from '@movies/actions-lib';

/** One checkov finding on the plan, reduced to what a reviewer reads (never a code block). */
export interface PolicyFinding {
  id: string;
  name: string;
  resource: string;
  guideline: string;
  /** For skipped checks: the reason written in the HCL (`#checkov:skip=<id>:<reason>`). */
  reason?: string;
}

export interface PolicyReport {
  failed: PolicyFinding[];
  skipped: PolicyFinding[];
  passed: number;
}

interface CheckovCheck {
  check_id?: string;
  check_name?: string;
  resource?: string;
  guideline?: string | null;
  check_result?: { suppress_comment?: string };
}

interface CheckovResult {
  results?: { failed_checks?: CheckovCheck[]; skipped_checks?: CheckovCheck[] };
  summary?: { passed?: number };
}

function finding(check: CheckovCheck): PolicyFinding {
  return {
    id: check.check_id ?? '?',
    name: check.check_name ?? '',
    resource: check.resource ?? '',
    guideline: check.guideline ?? '',
    ...(check.check_result?.suppress_comment
      ? { reason: check.check_result.suppress_comment }
      : {}),
  };
}

/** Parses `checkov -o json` for one framework: an object, a list of them, or `[]` when nothing was scanned. */
export function parseCheckov(stdout: string): PolicyReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    throw new Error(
      `checkov did not print JSON: ${(error as Error).message}: ${stdout.slice(0, 300)}`,
      {
        cause: error,
      },
    );
  }
  const results = (Array.isArray(parsed) ? parsed : [parsed]) as CheckovResult[];
  const report: PolicyReport = { failed: [], skipped: [], passed: 0 };
  for (const result of results) {
    report.failed.push(...(result.results?.failed_checks ?? []).map(finding));
    report.skipped.push(...(result.results?.skipped_checks ?? []).map(finding));
    report.passed += result.summary?.passed ?? 0;
  }
  return report;
}

/**
 * Runs checkov's terraform_plan checks on the plan JSON, offline. With `enrichFrom` (the
 * repository's terraform/ folder) checkov maps plan resources back to the HCL, so the
 * `#checkov:skip` comments there (each with its reason) apply to the plan as they do to the code.
 */
export async function checkPlan(
  checkov: string,
  planJsonFile: string,
  options: { enrichFrom?: string } = {},
): Promise<PolicyReport> {
  const { stdout } = await runCli(
    checkov,
    [
      '-f',
      planJsonFile,
      '--framework',
      'terraform_plan',
      '-o',
      'json',
      '--soft-fail',
      '--skip-download',
      ...(options.enrichFrom && fs.existsSync(options.enrichFrom)
        ? ['--repo-root-for-plan-enrichment', options.enrichFrom]
        : []),
    ],
    { silent: true },
  );
  return parseCheckov(stdout.trim() === '' ? '[]' : stdout);
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The policy part of the plan report (PR comment and summary). */
export function renderPolicy(report: PolicyReport, enforced: boolean): string {
  const lines: string[] = [];
  if (report.failed.length === 0) {
    lines.push(
      `**Policy (checkov):** no failed checks (${report.passed} passed${report.skipped.length > 0 ? `, ${report.skipped.length} skipped with a reason in the code` : ''}).`,
    );
  } else {
    lines.push(
      `${enforced ? '> [!CAUTION]\n> ' : ''}**Policy (checkov): ${report.failed.length} failed check${report.failed.length === 1 ? '' : 's'}**${enforced ? ' — the plan check fails until they are fixed or skipped in the HCL with a reason' : ''}.`,
      '',
      '| Check | Resource | What it asks |',
      '| --- | --- | --- |',
      ...report.failed.map(
        (f) =>
          `| ${f.guideline ? `[${f.id}](${f.guideline})` : f.id} | \`${cell(f.resource)}\` | ${cell(f.name)} |`,
      ),
    );
  }
  if (report.skipped.length > 0) {
    lines.push(
      '',
      `<details><summary>Skipped checks (${report.skipped.length})</summary>\n\n${report.skipped
        .map((f) => `- ${f.id} on \`${f.resource}\`: ${f.reason ?? 'no reason given'}`)
        .join('\n')}\n</details>`,
    );
  }
  return lines.join('\n');
}
