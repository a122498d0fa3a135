/**
 * A unified diff (`diff -u` style) of two texts, for showing rendered manifests against what is
 * deployed. Empty string when they are equal.
 */
export function unifiedDiff(
  before: string,
  after: string,
  options: { fromLabel?: string; toLabel?: string; context?: number } = {},
): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineOps(a, b);
  if (!ops.some((op) => op.kind !== ' ')) return '';
  const context = options.context ?? 3;
  const out = [`--- ${options.fromLabel ?? 'before'}`, `+++ ${options.toLabel ?? 'after'}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2*context unchanged lines away.
    const start = Math.max(0, i - context);
    let end = i;
    let unchanged = 0;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind === ' ') {
        unchanged++;
        if (unchanged > 2 * context) break;
      } else {
        unchanged = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const first = hunk[0]!;
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    const aStart = aCount === 0 ? first.aIndex : first.aIndex + 1;
    const bStart = bCount === 0 ? first.bIndex : first.bIndex + 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    i = stop;
  }
  return `${out.join('\n')}\n`;
}

/** Counts of added and removed lines in a unified diff (headers excluded). */
export function diffStats(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

interface LineOp {
  kind: ' ' | '-' | '+';
  line: string;
  /** Index in `a` of this line (or of the next `a` line for an insertion). */
  aIndex: number;
  bIndex: number;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Longest-common-subsequence edit script, with the common head and tail trimmed first. */
function lineOps(a: string[], b: string[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  // lengths[i][j] = LCS length of midA[i:] and midB[j:], in one flat array.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        midA[i] === midB[j]
          ? lengths[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const ops: LineOp[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: ' ', line: a[k]!, aIndex: k, bIndex: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i]!, aIndex: head + i, bIndex: head + j });
      i++;
      j++;
    } else if (
      i < n &&
      (j === m || lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!)
    ) {
      // Removals before additions, as diff -u prints them.
      ops.push({ kind: '-', line: midA[i]!, aIndex: head + i, bIndex: head + j });
      i++;
    } else {
      ops.push({ kind: '+', line: midB[j]!, aIndex: head + i, bIndex: head + j });
      j++;
    }
  }
  for (let k = 0; k < tail; k++) {
    const ai = a.length - tail + k;
    const bi = b.length - tail + k;
    ops.push({ kind: ' ', line: a[ai]!, aIndex: ai, bIndex: bi });
  }
  return ops;
}
