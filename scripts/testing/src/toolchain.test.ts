import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

interface ToolEntry {
  name: string;
  version?: string;
  via: string;
  dir?: string;
  module?: string;
  patches?: Array<{ file: string; replace: string; with: string; why: string }>;
}

const manifest = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'scripts', 'toolchain', 'tools.json'), 'utf8'),
) as { tools: ToolEntry[] };

describe('pinned toolchain', () => {
  it('lists every tool once and pins every non-Debian tool', () => {
    const names = manifest.tools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of manifest.tools) {
      if (tool.via !== 'apt') expect(tool.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
  });

  it('`npm run tools -- --check` reports every tool installed at its pinned version', () => {
    const result = spawnSync(process.execPath, ['scripts/toolchain/install.mjs', '--check'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stderr).toBe('');
    const rows = result.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(manifest.tools.length);
    for (const tool of manifest.tools) {
      const row = rows.find((line) => line.split(/\s+/)[0] === tool.name);
      expect(row).toBeDefined();
      expect(row).toMatch(/\sok$/);
      if (tool.version) expect(row).toContain(tool.version.replace(/^v/, ''));
    }
    expect(result.status).toBe(0);
  }, 120_000);

  it('fails --check and names an unknown tool', () => {
    const result = spawnSync(
      process.execPath,
      ['scripts/toolchain/install.mjs', '--check', '--only', 'nosuchtool'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown tool(s): nosuchtool');
  });

  it('keeps the FerretDB wrapper module on the pinned FerretDB version', () => {
    const ferret = manifest.tools.find((tool) => tool.name === 'ferretdb');
    const goMod = fs.readFileSync(path.join(repoRoot, 'scripts', 'ferretdb', 'go.mod'), 'utf8');
    expect(goMod).toContain(`github.com/FerretDB/FerretDB ${ferret?.version}`);
  });

  it('applies each patch of a built tool to exactly one place of its pinned module', () => {
    const patched = manifest.tools.filter((tool) => (tool.patches ?? []).length > 0);
    expect(patched.map((tool) => tool.name)).toEqual(['ferretdb']);
    for (const tool of patched) {
      // The toolchain install (run before the tests) has downloaded the module.
      const listed = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', tool.module as string], {
        cwd: path.join(repoRoot, tool.dir as string),
        encoding: 'utf8',
        env: { ...process.env, GOFLAGS: '-mod=mod' },
      });
      expect(listed.status).toBe(0);
      const moduleDir = listed.stdout.trim();
      expect(moduleDir).toContain(`@${tool.version}`);
      for (const patch of tool.patches ?? []) {
        const text = fs.readFileSync(path.join(moduleDir, patch.file), 'utf8');
        expect(text.split(patch.replace)).toHaveLength(2);
        expect(text).not.toContain(patch.with);
        expect(patch.why.length).toBeGreaterThan(20);
      }
    }
  });
});
