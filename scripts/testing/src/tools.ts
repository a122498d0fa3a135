import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolPath, toolsBinDir } from './paths';

const execFileAsync = promisify(execFile);

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a pinned tool from .tools/bin (`toolPath`) with .tools/bin first on PATH, so tools that
 * call others (actionlint → shellcheck, checkov → helm) get the pinned ones too. Never throws on
 * a non-zero exit: the caller asserts on `code` and the output.
 */
export async function runTool(
  name: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await execFileAsync(toolPath(name), args, {
      cwd: options.cwd ?? repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        ...options.env,
        PATH: `${toolsBinDir}${path.delimiter}${options.env?.PATH ?? process.env.PATH ?? ''}`,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}
