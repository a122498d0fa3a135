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
  lists: Record<string, string[]>;
}

async function loadOidcModule(dir: string): Promise<OidcModule> {
  const file = path.join(dir, 'main.tf');
  const parsed = (await parse(file, fs.readFileSync(file, 'utf8'))) as {
    locals: Record<string, string | string[]>[];
    data: { aws_iam_policy_document: Record<string, { statement: Statement[] }[]> };
  };
  const trustedSubjects = parsed.locals.map((block) => block.trusted_subjects).find(Boolean);
  if (typeof trustedSubjects !== 'string') throw new Error(`${file}: no local trusted_subjects`);
  const lists: Record<string, string[]> = {};
  for (const block of parsed.locals) {
    for (const [name, value] of Object.entries(block)) {
      if (Array.isArray(value)) lists[`\${local.${name}}`] = value as string[];
    }
  }
  const policies: Record<string, Statement[]> = {};
  for (const [name, blocks] of Object.entries(parsed.data.aws_iam_policy_document)) {
    policies[name] = blocks[0]!.statement;
  }
  return { trustedSubjects, policies, lists };
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

/** The actions of a statement with local lists and concat(...) of them expanded. */
function resolveActions(actions: string | string[], lists: Record<string, string[]>): string[] {
  if (Array.isArray(actions)) return actions;
  const list = lists[actions];
  if (list) return list;
  const concat = /^\$\{concat\(([\s\S]*)\)\}$/.exec(actions);
  if (!concat) throw new Error(`cannot resolve actions ${actions}`);
  return concat[1]!.split(/,(?![^[]*\])/).flatMap((part) => {
    const item = part.trim();
    if (item.startsWith('[')) return JSON.parse(item.replace(/,\s*\]$/, ']')) as string[];
    const local = lists[`\${${item}}`];
    if (!local) throw new Error(`cannot resolve ${item} in ${actions}`);
    return local;
  });
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

  // IAM counts policy characters without whitespace: 10,240 for all inline policies of a role,
  // 6,144 for a managed policy. Rendered with realistic values (the longest environment name
  // the validation allows, four repositories).
  it.each([
    ['plan', 10_240],
    ['apply', 10_240],
    ['apply_kops', 6_144],
    ['image_push', 10_240],
  ])('the %s policy stays under the IAM size limit (%d characters)', async (name, limit) => {
    const { policies, lists } = await loadOidcModule(dir);
    const repositories = ['auth', 'data', 'recommendation', 'web'].map(
      (service) => `arn:aws:ecr:ap-southeast-3:111111111111:repository/movies/${service}`,
    );
    const statements = policies[name]!.map((statement) => ({
      Sid: statement.sid,
      Effect: statement.effect ?? 'Allow',
      Action: resolveActions(statement.actions, lists),
      Resource:
        statement.resources === '${var.ecr_repository_arns}' ? repositories : statement.resources,
      Condition: statement.condition,
    }));
    const rendered = JSON.stringify({ Version: '2012-10-17', Statement: statements })
      .replace(/\$\{local\.partition\}/g, 'aws')
      .replace(/\$\{local\.account_id\}/g, '111111111111')
      .replace(/\$\{local\.region\}/g, 'ap-southeast-3')
      .replace(/\$\{each\.key\}/g, 'abcdefghijklmnop')
      .replace(/\$\{[^}]*\}/g, 'x'.repeat(40));
    expect(rendered).not.toContain('concat(');
    expect(rendered.length).toBeGreaterThan(500);
    expect(rendered.length).toBeLessThan(limit);
  });
});
