// One jest run over the whole repository: a project per workspace (services/*, actions/*,
// scripts/testing) plus the repo-level checks that live beside what they check (chart/,
// terraform/, environments/, .github/, scripts/images). Projects are named by folder: `npx jest --selectProjects
// services/auth` runs one of them.
const fs = require('node:fs');
const path = require('node:path');
const { repoRoot, listWorkspaces } = require('./scripts/workspaces.cjs');

const workspaces = listWorkspaces();

// Workspace packages resolve to their TypeScript sources, so tests never need a build first.
const moduleNameMapper = {};
for (const ws of workspaces) {
  const escaped = ws.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  moduleNameMapper[`^${escaped}$`] = path.join(ws.absDir, 'src', 'index.ts');
  moduleNameMapper[`^${escaped}/(.*)$`] = path.join(ws.absDir, 'src', '$1');
}

const transform = {
  '^.+\\.tsx?$': [
    'ts-jest',
    { tsconfig: path.join(repoRoot, 'tsconfig.jest.json'), diagnostics: false },
  ],
};

function project(displayName, rootDir) {
  return {
    displayName,
    rootDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
    moduleNameMapper,
    transform,
  };
}

const repoLevel = ['chart', 'terraform', 'environments', '.github', 'scripts/images'];

module.exports = {
  projects: [
    ...workspaces.map((ws) => project(ws.dir, ws.absDir)),
    ...repoLevel
      .filter((dir) => fs.existsSync(path.join(repoRoot, dir)))
      .map((dir) => project(dir, path.join(repoRoot, dir))),
  ],
  reporters: ['default', path.join(repoRoot, 'scripts', 'jest-summary-reporter.cjs')],
};
