#!/usr/bin/env node
// Bundles an action's src/index.ts into one dist/index.js with esbuild, the way the runner
// loads it (`node dist/index.js`, no node_modules). Run from the action's folder
// (`npm run bundle -w actions/<name>`) or pass the folder: `node bundle.mjs actions/terraform`.
// `--outfile <path>` writes elsewhere (the up-to-date test compares a fresh bundle with dist/).
// The output is deterministic: esbuild works relative to the repository root, so module
// comments name repository paths, never absolute ones, and nothing carries a timestamp.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const libSrc = path.join(repoRoot, 'actions', 'lib', 'src');

const args = process.argv.slice(2);
let outfile;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--outfile') outfile = args[++i];
  else positional.push(args[i]);
}
const actionDir = path.resolve(positional[0] ?? process.cwd());
outfile = path.resolve(outfile ?? path.join(actionDir, 'dist', 'index.js'));

// The library is bundled from its TypeScript sources, so a bundle never depends on a stale build/.
const libraryFromSource = {
  name: 'actions-lib-source',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@movies\/actions-lib(\/.*)?$/ }, (resolveArgs) => {
      const sub = resolveArgs.path.slice('@movies/actions-lib'.length).replace(/^\//, '');
      return { path: path.join(libSrc, sub ? `${sub}.ts` : 'index.ts') };
    });
  },
};

await build({
  absWorkingDir: repoRoot,
  entryPoints: [path.join(actionDir, 'src', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  charset: 'utf8',
  legalComments: 'eof',
  sourcemap: false,
  logLevel: 'warning',
  plugins: [libraryFromSource],
});
