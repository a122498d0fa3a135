import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { diffStats, unifiedDiff } from './unified-diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('writes hunks with context like diff -u', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11'].join('\n') + '\n';
    expect(unifiedDiff(before, after, { fromLabel: 'deployed', toLabel: 'rendered' })).toBe(
      [
        '--- deployed',
        '+++ rendered',
        '@@ -2,9 +2,10 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        ' 9',
        ' 10',
        '+11',
        '',
      ].join('\n'),
    );
  });

  it('diffs against nothing (a first install)', () => {
    expect(unifiedDiff('', 'kind: Cluster\n')).toBe(
      '--- before\n+++ after\n@@ -0,0 +1,1 @@\n+kind: Cluster\n',
    );
    expect(diffStats(unifiedDiff('a\nb\n', ''))).toEqual({ added: 0, removed: 2 });
  });

  it('agrees with diff -u on the changed lines for arbitrary texts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udiff-'));
    try {
      const line = fc.constantFrom('a', 'b', 'c', 'd', 'e');
      fc.assert(
        fc.property(
          fc.array(line, { maxLength: 30 }),
          fc.array(line, { maxLength: 30 }),
          (x, y) => {
            const before = x.map((l) => `${l}\n`).join('');
            const after = y.map((l) => `${l}\n`).join('');
            const ours = unifiedDiff(before, after);
            fs.writeFileSync(path.join(dir, 'a'), before);
            fs.writeFileSync(path.join(dir, 'b'), after);
            const theirs = spawnSync('diff', ['-u', path.join(dir, 'a'), path.join(dir, 'b')], {
              encoding: 'utf8',
            }).stdout;
            // Both are minimal edit scripts: the same number of added and removed lines.
            expect(diffStats(ours)).toEqual(diffStats(theirs));
            // Applying our hunks to the old text gives the new text.
            expect(applyPatch(x, ours)).toEqual(y);
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Applies a unified diff to the old lines (the way `patch` would), for checking hunk headers. */
function applyPatch(before: string[], diff: string): string[] {
  const result: string[] = [];
  let position = 0;
  for (const line of diff.split('\n')) {
    if (line === '' || line.startsWith('---') || line.startsWith('+++')) continue;
    const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(line);
    if (header) {
      const start = Number(header[2]) === 0 ? Number(header[1]) : Number(header[1]) - 1;
      while (position < start) result.push(before[position++]!);
    } else if (line.startsWith(' ')) {
      expect(before[position]).toBe(line.slice(1));
      result.push(before[position++]!);
    } else if (line.startsWith('-')) {
      expect(before[position]).toBe(line.slice(1));
      position++;
    } else if (line.startsWith('+')) {
      result.push(line.slice(1));
    }
  }
  while (position < before.length) result.push(before[position++]!);
  return result;
}
