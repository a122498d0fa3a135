import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';

export const terraformRoot = path.join(repoRoot, 'terraform');

export const ROOTS = ['environment', 'global', 'bootstrap'] as const;
export const MODULES = [
  'network',
  'state-store',
  'ecr',
  'github-oidc',
  'documentdb',
  'kms-key',
  'app-secrets',
] as const;

/** Every root and module directory, relative to terraform/. */
export const ALL_DIRS = [...ROOTS, ...MODULES.map((name) => `modules/${name}`)];

export function terraformDir(relative: string): string {
  return path.join(terraformRoot, relative);
}

/** A throw-away copy of terraform/ (without tests) for tests that break something on purpose. */
export function copyTerraformTree(): { root: string; remove: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'movies-terraform-'));
  fs.cpSync(terraformRoot, root, {
    recursive: true,
    filter: (source) =>
      !source.includes(`${path.sep}tests`) && !source.includes(`${path.sep}.terraform`),
  });
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Replaces exactly one occurrence of `from` in a file, failing when it is missing or ambiguous. */
export function replaceOnce(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`${file}: expected exactly one "${from}", found ${count}`);
  fs.writeFileSync(file, text.replace(from, to));
}
