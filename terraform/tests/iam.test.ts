jest.setTimeout(60_000);

// Least-privilege invariants of the GitHub OIDC roles, read from the parsed HCL: who may assume
// each role, and that no statement grants a wildcard resource without a condition.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { copyTerraformTree, terraformDir } from './layout';

interface Statement {
  sid?: string;
  effect?: string;
  actions: string | string[];
  resources: string | string[];
  condition?: { test: string; variable: string; values: string | string[] }[];
}

interface OidcModule {
  trustedSubjects: string;
  policies: Record<string, Statement[]>;
}

async function loadOidcModule(dir: string): Promise<OidcModule> {
  const file = path.join(dir, 'main.tf');
  const parsed = (await parse(file, fs.readFileSync(file, 'utf8'))) as {
    locals: Record<string, string>[];
    data: { aws_iam_policy_document: Record<string, { statement: Statement[] }[]> };
  };
  const trustedSubjects = parsed.locals.map((block) => block.trusted_subjects).find(Boolean);
  if (!trustedSubjects) throw new Error(`${file}: no local trusted_subjects`);
  const policies: Record<string, Statement[]> = {};
  for (const [name, blocks] of Object.entries(parsed.data.aws_iam_policy_document)) {
    policies[name] = blocks[0]!.statement;
  }
  return { trustedSubjects, policies };
}

/** Allow statements whose resources include "*" and that carry no condition, other than the
 * statements of actions AWS cannot scope (the describe list and the registry login). */
function unconditionedWildcards(statements: Statement[]): string[] {
  const unscopable = new Set([
    '${local.describe_actions}',
    '${local.kops_describe_actions}',
    'ecr:GetAuthorizationToken',
  ]);
  return statements
    .filter((statement) => (statement.effect ?? 'Allow') === 'Allow')
    .filter((statement) => [statement.resources].flat().includes('*'))
    .filter((statement) => !statement.condition?.length)
    .filter((statement) => ![statement.actions].flat().every((action) => unscopable.has(action)))
    .map((statement) => statement.sid ?? JSON.stringify(statement.actions));
}

function conditionValues(statement: Statement, variable: string): string | string[] | undefined {
  return statement.condition?.find((condition) => condition.variable === variable)?.values;
}

describe('GitHub OIDC roles', () => {
  const dir = terraformDir('modules/github-oidc');

  it('each role trusts only the sub claims meant for it, of the configured repository', async () => {
    const { trustedSubjects, policies } = await loadOidcModule(dir);
    expect(trustedSubjects).toContain(
      'plan       = ["repo:${var.github_repository}:pull_request", "repo:${var.github_repository}:ref:refs/heads/main"]',
    );
    expect(trustedSubjects).toContain(
      'image-push = ["repo:${var.github_repository}:ref:refs/heads/main"]',
    );
    expect(trustedSubjects).toContain(
      '"apply-${environment}" => ["repo:${var.github_repository}:environment:${environment}"]',
    );
    const [trust] = policies.trust!;
    expect(trust!.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(conditionValues(trust!, '${local.oidc_host}:aud')).toEqual(['sts.amazonaws.com']);
    expect(conditionValues(trust!, '${local.oidc_host}:sub')).toEqual('${each.value}');
    expect(trust!.condition!.every((condition) => condition.test === 'StringEquals')).toBe(true);
  });

  it.each(['plan', 'apply', 'apply_kops', 'image_push'])(
    'the %s policy grants no unconditioned wildcard resource',
    async (name) => {
      const { policies } = await loadOidcModule(dir);
      expect(policies[name]).toBeDefined();
      expect(unconditionedWildcards(policies[name]!)).toEqual([]);
    },
  );

  it('the apply policy only creates and changes resources tagged with its own environment', async () => {
    const { policies } = await loadOidcModule(dir);
    const bySid = new Map(policies.apply!.map((statement) => [statement.sid, statement]));
    expect(
      conditionValues(bySid.get('CreateTaggedNetworkResources')!, 'aws:RequestTag/environment'),
    ).toEqual(['${each.key}']);
    expect(
      conditionValues(bySid.get('CreateTaggedNetworkResources')!, 'aws:RequestTag/project'),
    ).toEqual(['${var.project}']);
    expect(
      conditionValues(bySid.get('ChangeOwnNetworkResources')!, 'aws:ResourceTag/environment'),
    ).toEqual(['${each.key}']);
    expect(
      conditionValues(bySid.get('CreateRolesWithinBoundary')!, 'iam:PermissionsBoundary'),
    ).toEqual(['${local.boundary_arn}']);
    expect(bySid.get('ReadWriteOwnState')!.resources).toEqual([
      '${local.state_bucket_arn}/environments/${each.key}/terraform.tfstate',
    ]);
    expect(bySid.get('NeverLoosenTheBoundary')!.effect).toBe('Deny');
  });

  it('reports a wildcard statement that lost its condition', async () => {
    const tree = copyTerraformTree();
    try {
      const file = path.join(tree.root, 'modules/github-oidc/main.tf');
      const text = fs.readFileSync(file, 'utf8');
      const start = text.indexOf('    sid       = "ChangeOwnNetworkResources"');
      const conditionStart = text.indexOf('    condition {', start);
      const conditionEnd = text.indexOf('    }\n', conditionStart) + '    }\n'.length;
      fs.writeFileSync(file, text.slice(0, conditionStart) + text.slice(conditionEnd));
      const { policies } = await loadOidcModule(path.dirname(file));
      expect(unconditionedWildcards(policies.apply!)).toEqual(['ChangeOwnNetworkResources']);
    } finally {
      tree.remove();
    }
  });
});
