import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { roleProblems, roleUses, trustEntries, type TrustEntry } from './roles-model';
import { readYamlFile, workflowFiles } from './workflow-model';

/** The rows of the role trust table in .github/README.md. */
function documentedTrust(): TrustEntry[] {
  const text = fs.readFileSync(path.join(repoRoot, '.github', 'README.md'), 'utf8');
  const section = text.split(/^### Role trust.*$/m)[1]?.split(/^#/m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `movies-'))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, ''));
      return { role: cells[0]!, context: cells[1]!, workflowRef: cells[2]!, jobs: cells[3]! };
    });
}

describe('which AWS role each job assumes, and the OIDC claims it presents (defect 4)', () => {
  const uses = roleUses(repoRoot, workflowFiles(repoRoot));

  it('apply roles only in jobs bound to a GitHub environment and started from main; pull requests reach plan roles only', () => {
    expect(uses.map((use) => use.role)).toEqual(
      expect.arrayContaining(['plan', 'apply', 'image-push']),
    );
    expect(roleProblems(uses)).toEqual([]);
  });

  it(".github/README.md's role trust table is exactly what the workflows present (terraform/modules/github-oidc must trust these)", () => {
    expect(documentedTrust()).toEqual(trustEntries(uses));
  });
});

describe('the role rules catch', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
  const problemsOf = (text: string): string[] => {
    fs.mkdirSync(path.join(temp, '.github', 'workflows'), { recursive: true });
    fs.writeFileSync(path.join(temp, '.github', 'workflows', 'bad.yml'), text);
    return roleProblems(roleUses(temp, [readYamlFile(temp, '.github/workflows/bad.yml')]));
  };
  const credentials = (role: string) =>
    `      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df # v4.2.1\n        with: { role-to-assume: "${role}" }\n`;

  it('a pull request job that assumes the apply role (the old "read-only" plan role was this), and one without an environment', () => {
    expect(
      problemsOf(
        `on: pull_request\njobs:\n  a:\n    environment: dev\n    steps:\n${credentials('${{ vars.APPLY_ROLE_ARN }}')}  b:\n    steps:\n${credentials('${{ vars.APPLY_ROLE_ARN }}')}`,
      ),
    ).toEqual([
      'bad.yml a: assumes an apply role from refs/pull/*/merge, not only from main',
      'bad.yml b: assumes an apply role without a GitHub environment',
      'bad.yml b: assumes an apply role from refs/pull/*/merge, not only from main',
      'bad.yml b: a pull request job assumes the apply role',
    ]);
  });

  it('a dispatch that can start from any branch, unless it is guarded to main (directly or through needs)', () => {
    const plan = credentials('${{ fromJSON(vars.PLAN_ROLE_ARNS)[inputs.environment] }}');
    expect(problemsOf(`on: workflow_dispatch\njobs:\n  a:\n    steps:\n${plan}`)).toEqual([
      'bad.yml a: can start from any branch with the plan role',
    ]);
    expect(
      problemsOf(
        `on: workflow_dispatch\njobs:\n  check:\n    if: github.ref == 'refs/heads/main'\n    steps: [{ run: 'true' }]\n  a:\n    needs: check\n    steps:\n${plan}`,
      ),
    ).toEqual([]);
  });

  it('an unknown role variable', () => {
    expect(() =>
      problemsOf(`on: push\njobs:\n  a:\n    steps:\n${credentials('arn:aws:iam::1:role/x')}`),
    ).toThrow(/role-to-assume "arn:aws:iam::1:role\/x" is no known role/);
  });
});
