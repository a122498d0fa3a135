// Lists the npm workspaces named by the root package.json ("services/*" style globs) without
// any dependency, so the build, the test runner and jest's project list agree on one set.
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..');

function expand(pattern) {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  const abs = path.join(repoRoot, parent);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}`)
    .sort();
}

function listWorkspaces() {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return rootPkg.workspaces
    .flatMap(expand)
    .filter((dir) => fs.existsSync(path.join(repoRoot, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8'));
      return { name: pkg.name, dir, absDir: path.join(repoRoot, dir), pkg };
    });
}

module.exports = { repoRoot, listWorkspaces };
