import type { LoadedEnvironment } from '@movies/actions-lib';

/**
 * One AWS account for every environment: one registry, one OIDC provider, tag-isolated
 * environments (terraform/modules/github-oidc). Refuses environments that name different
 * accounts, naming each file that differs from the first environment's account.
 *
 * Kept here until actions/lib's environment loading enforces the same rule; then these tests
 * use that code instead.
 */
export function accountModelErrors(environments: LoadedEnvironment[]): string[] {
  const [first, ...rest] = environments;
  if (!first) return [];
  return rest
    .filter((environment) => environment.env.aws.account_id !== first.env.aws.account_id)
    .map(
      (environment) =>
        `environments/${environment.name}/env.yaml: /aws/account_id must be ${first.env.aws.account_id}, the account of ${first.name}: every environment lives in one AWS account (got ${environment.env.aws.account_id})`,
    );
}
