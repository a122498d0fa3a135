#!/usr/bin/env node
// Builds the browser UI into build/public: type-checks ui/ (DOM types, no emit), bundles
// ui/src/main.ts and ui/styles.css with esbuild under content-hashed names, and writes
// index.html pointing at them. Run by `npm run build:assets` (scripts/build.mjs runs it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = path.join(webDir, 'ui');
const outDir = path.join(webDir, 'build', 'public');

const tsc = spawnSync(
  process.execPath,
  [
    path.join(path.dirname(fileURLToPath(import.meta.resolve('typescript'))), '..', 'bin', 'tsc'),
    '-p',
    path.join(uiDir, 'tsconfig.json'),
  ],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('build-ui: type errors in services/web/ui');
  process.exit(tsc.status ?? 1);
}

fs.rmSync(outDir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: [path.join(uiDir, 'src', 'main.ts'), path.join(uiDir, 'styles.css')],
  outdir: outDir,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const find = (entry) => {
  const match = outputs.find(
    ([, output]) =>
      output.entryPoint && path.resolve(output.entryPoint) === path.join(uiDir, entry),
  );
  if (!match) throw new Error(`build-ui: no output for ${entry}`);
  return `/${path.basename(match[0])}`;
};
const html = fs
  .readFileSync(path.join(uiDir, 'index.html'), 'utf8')
  .replace('%SCRIPT%', find('src/main.ts'))
  .replace('%STYLES%', find('styles.css'));
fs.writeFileSync(path.join(outDir, 'index.html'), html);
console.log(
  `build-ui: ${path.relative(process.cwd(), outDir) || outDir} (${outputs.length} files)`,
);
