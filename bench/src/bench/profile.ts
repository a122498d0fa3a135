import fs from 'node:fs';
import path from 'node:path';

/** The parts of a V8 .cpuprofile (node --cpu-prof) used here. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    hitCount?: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  /** `name (file:line)`, paths shortened to what follows node_modules/ or the repository. */
  where: string;
  /** Share of all samples spent in the function itself. */
  selfShare: number;
}

function shorten(url: string, repoRoot: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules + 'node_modules/'.length);
  return file.startsWith(repoRoot) ? path.relative(repoRoot, file) : file;
}

/** Functions by self time, highest first; idle and garbage collection are named as V8 names them. */
export function hotFunctions(profile: CpuProfile, repoRoot: string, top = 10): HotFunction[] {
  const totals = new Map<string, number>();
  let all = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${name} (${shorten(url, repoRoot)}:${lineNumber + 1})` : name;
    totals.set(where, (totals.get(where) ?? 0) + hits);
    all += hits;
  }
  return [...totals]
    .map(([where, hits]) => ({ where, selfShare: all > 0 ? hits / all : 0 }))
    .sort((a, b) => b.selfShare - a.selfShare)
    .slice(0, top);
}

/** A text summary of every .cpuprofile below `dir` (one section per profile). */
export function summarizeProfiles(dir: string, repoRoot: string, top = 12): string {
  const lines: string[] = [];
  const walk = (folder: string): string[] =>
    fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.name.endsWith('.cpuprofile') ? [full] : [];
    });
  for (const file of walk(dir).sort()) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    lines.push(
      `${path.relative(dir, file)} (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s):`,
    );
    for (const hot of hotFunctions(profile, repoRoot, top)) {
      lines.push(`  ${(hot.selfShare * 100).toFixed(1).padStart(5)}%  ${hot.where}`);
    }
  }
  return lines.join('\n');
}
