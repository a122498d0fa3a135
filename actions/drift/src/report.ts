/** What the Terraform plan step reported (the terraform action's outputs and the step outcome). */
export interface PlanReport {
  /** The plan step's outcome: success, failure, cancelled or skipped. */
  outcome: string;
  changes: boolean;
  toAdd: string;
  toChange: string;
  toDestroy: string;
  failureReason: string;
  /** The masked plan as markdown (the terraform action's plan-path), if any. */
  planMarkdown: string;
}

/** GitHub's limit for an issue body, less room for the text around the plan. */
const PLAN_BUDGET = 60_000;

export function driftMarker(environment: string): string {
  return `<!-- movies-gitops:drift=${environment} -->`;
}

/** Drift is a plan with changes, or a plan that did not succeed (it cannot tell). */
export function isDrifted(plan: PlanReport): boolean {
  return plan.outcome !== 'success' || plan.changes;
}

export function driftSummary(plan: PlanReport): string {
  if (plan.outcome !== 'success') {
    return `The plan did not succeed (${plan.outcome}${plan.failureReason ? `: ${plan.failureReason}` : ''}), so drift cannot be ruled out.`;
  }
  return `The plan wants to add ${plan.toAdd || '0'}, change ${plan.toChange || '0'} and destroy ${plan.toDestroy || '0'} resources.`;
}

export function issueTitle(environment: string): string {
  return `Drift in ${environment}`;
}

export function issueBody(
  environment: string,
  plan: PlanReport,
  runUrl: string,
  checkedAt: Date,
): string {
  let details = '';
  if (plan.planMarkdown.trim() !== '') {
    const text =
      plan.planMarkdown.length > PLAN_BUDGET
        ? `${plan.planMarkdown.slice(0, PLAN_BUDGET)}\n\n… truncated: the full plan is in the run's job summary.`
        : plan.planMarkdown;
    details = `\n<details><summary>Plan</summary>\n\n${text.trim()}\n\n</details>\n`;
  }
  return [
    driftMarker(environment),
    `Terraform in \`${environment}\` differs from the repository (last checked ${checkedAt.toISOString()}, [run](${runUrl})).`,
    '',
    driftSummary(plan),
    details,
    `Either bring the change into the repository by pull request, or put \`${environment}\` back to what`,
    `main says: Actions → *apply* → *Run workflow* with environment \`${environment}\` (the recovery path:`,
    "a fresh plan of main is shown in the run, and applied only after the environment's reviewers",
    'approve it). This issue closes itself at the next clean plan.',
  ].join('\n');
}
