// Applies .github/repository-settings.json to the repository (a one-time bootstrap step, run again
// after changing the file): branch protection of main and the OIDC subject claim template the AWS
// roles' trust expects. `npx ts-node scripts/github/configure-repository.ts owner/name`, with an
// admin's token in GITHUB_TOKEN. GITHUB_API_URL points it at GitHub Enterprise or, in the tests,
// at the fake GitHub.
import fs from 'node:fs';
import path from 'node:path';
import { Octokit } from '@octokit/rest';

export interface BranchProtection {
  branch: string;
  required_status_checks: { strict: boolean; checks: string[] };
  enforce_admins: boolean;
  required_pull_request_reviews: {
    required_approving_review_count: number;
    require_code_owner_reviews: boolean;
    dismiss_stale_reviews: boolean;
  };
  restrictions: null;
  allow_force_pushes: boolean;
  allow_deletions: boolean;
}

export interface RepositorySettings {
  branch_protection: BranchProtection;
  oidc_subject_claim: { use_default: boolean; include_claim_keys: string[] };
}

export function readSettings(repoRoot: string): RepositorySettings {
  const file = path.join(repoRoot, '.github', 'repository-settings.json');
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as RepositorySettings;
  const protection = value.branch_protection;
  if (!protection?.branch || !Array.isArray(protection.required_status_checks?.checks))
    throw new Error(
      `${file}: needs "branch_protection.branch" and "branch_protection.required_status_checks.checks"`,
    );
  const claim = value.oidc_subject_claim;
  if (typeof claim?.use_default !== 'boolean' || !Array.isArray(claim.include_claim_keys))
    throw new Error(
      `${file}: needs "oidc_subject_claim.use_default" and "oidc_subject_claim.include_claim_keys"`,
    );
  return value;
}

export async function configureRepository(options: {
  repository: string;
  token: string;
  apiUrl?: string;
  repoRoot: string;
}): Promise<RepositorySettings> {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(options.repository);
  if (!match) throw new Error(`the repository must be "owner/name", got "${options.repository}"`);
  const owner = match[1]!;
  const repo = match[2]!;
  const settings = readSettings(options.repoRoot);
  const protection = settings.branch_protection;
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl ?? 'https://api.github.com',
  });
  await octokit.rest.repos.updateBranchProtection({
    owner,
    repo,
    branch: protection.branch,
    // `checks` replaces the deprecated `contexts` (which @octokit/rest v20's types still require).
    required_status_checks: {
      strict: protection.required_status_checks.strict,
      checks: protection.required_status_checks.checks.map((context) => ({ context })),
    } as unknown as { strict: boolean; contexts: string[] },
    enforce_admins: protection.enforce_admins,
    required_pull_request_reviews: protection.required_pull_request_reviews,
    restrictions: protection.restrictions,
    allow_force_pushes: protection.allow_force_pushes,
    allow_deletions: protection.allow_deletions,
  });
  await octokit.rest.actions.setCustomOidcSubClaimForRepo({
    owner,
    repo,
    use_default: settings.oidc_subject_claim.use_default,
    include_claim_keys: settings.oidc_subject_claim.include_claim_keys,
  });
  return settings;
}

if (require.main === module) {
  const repository = process.argv[2] ?? process.env.GITHUB_REPOSITORY ?? '';
  const token = process.env.GITHUB_TOKEN ?? '';
  if (!token) {
    process.stderr.write('GITHUB_TOKEN must hold a token of a repository admin\n');
    process.exit(2);
  }
  configureRepository({
    repository,
    token,
    ...(process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {}),
    repoRoot: path.resolve(__dirname, '..', '..'),
  })
    .then((settings) => {
      const protection = settings.branch_protection;
      process.stdout.write(
        `${repository}: ${protection.branch} protected; required checks: ${protection.required_status_checks.checks.join(', ')}; OIDC sub claim: ${settings.oidc_subject_claim.include_claim_keys.join(', ')}\n`,
      );
    })
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    });
}
