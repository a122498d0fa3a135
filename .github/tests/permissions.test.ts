import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { permissionProblems } from './permissions-model';
import { readYamlFile, workflowFiles } from './workflow-model';

describe("each job's permissions cover exactly the API calls its steps make", () => {
  it("every workflow job (from the actions' declared calls, third-party facts and scripts)", () => {
    expect(permissionProblems(repoRoot, workflowFiles(repoRoot))).toEqual([]);
  });
});

describe('the check catches', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'permissions-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
  const fixture = (text: string) => {
    fs.mkdirSync(path.join(temp, '.github', 'workflows'), { recursive: true });
    fs.cpSync(path.join(repoRoot, 'actions'), path.join(temp, 'actions'), {
      recursive: true,
      filter: (source) => !source.includes('node_modules') && !source.includes(`${path.sep}dist`),
    });
    fs.writeFileSync(path.join(temp, '.github', 'workflows', 'bad.yml'), text);
    return readYamlFile(temp, '.github/workflows/bad.yml');
  };

  it("an apply job that may only read pull requests (it edits the merged PR's comment), and a write nothing needs", () => {
    const wf = fixture(`on: push
permissions: {}
jobs:
  deploy:
    runs-on: x
    timeout-minutes: 1
    permissions: { contents: read, id-token: write, pull-requests: read, checks: read, deployments: write }
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - uses: ./actions/terraform
        with: { environment: dev, command: apply }
`);
    expect(permissionProblems(temp, [wf])).toEqual([
      '.github/workflows/bad.yml jobs.deploy: issues.createComment (POST /repos/{owner}/{repo}/issues/{issue_number}/comments) needs pull-requests: write or issues: write',
      '.github/workflows/bad.yml jobs.deploy: issues.updateComment (PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}) needs pull-requests: write or issues: write',
      '.github/workflows/bad.yml jobs.deploy: grants id-token: write, which none of its steps needs',
      '.github/workflows/bad.yml jobs.deploy: grants deployments: write, which none of its steps needs',
    ]);
  });
});
