// A small reader for the service Dockerfiles and BuildKit's Dockerfile.dockerignore, enough to
// check what the images copy: instructions with their flags, stages, and which context paths the
// ignore file lets through (Docker's rules: last matching pattern wins, `!` re-includes, a
// pattern that matches a parent directory matches everything below it).

export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string[];
  line: number;
}

export interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

function splitArgs(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return trimmed.split(/\s+/).filter(Boolean);
}

export function parseDockerfile(text: string): Stage[] {
  const logical: Array<{ text: string; line: number }> = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (buffer === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (buffer === '') start = index + 1;
    if (line.trim().startsWith('#')) return; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    logical.push({ text: buffer + line, line: start });
    buffer = '';
  });
  const stages: Stage[] = [];
  for (const { text: instruction, line } of logical) {
    const match = /^(\w+)\s+(.*)$/s.exec(instruction.trim());
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    let rest = match[2]!;
    const flags: Record<string, string> = {};
    for (
      let flag = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest);
      flag;
      flag = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest)
    ) {
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    const parsed: Instruction = {
      keyword,
      flags,
      args: keyword === 'RUN' || keyword === 'HEALTHCHECK' ? [rest] : splitArgs(rest),
      line,
    };
    if (keyword === 'FROM') {
      const [base, as, name] = parsed.args;
      stages.push({
        base: base!,
        name: as?.toUpperCase() === 'AS' ? name! : null,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(parsed);
    }
  }
  return stages;
}

// The ignore-file rules are shared with the image build (scripts/images), which stages exactly
// the files they send as the build context.
export {
  contextFiles,
  filesUnder,
  isIncluded,
  parseDockerignore,
  type IgnoreRule,
} from '../../scripts/images/lib/dockerignore.cjs';
