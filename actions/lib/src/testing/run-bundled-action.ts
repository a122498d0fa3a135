import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunBundledActionOptions {
  /** The action folder holding `dist/index.js`. */
  actionDir: string;
  /** Input names as in action.yml (`github-token`); sent as `INPUT_<NAME>` upper-cased, dashes kept. */
  inputs?: Record<string, string>;
  eventName?: string;
  /** Written to a file that GITHUB_EVENT_PATH points at. */
  event?: Record<string, unknown>;
  /** `owner/repo` for GITHUB_REPOSITORY. */
  repository?: string;
  /** GITHUB_API_URL, e.g. a fake GitHub server's url. */
  apiUrl?: string;
  /** The working directory and GITHUB_WORKSPACE. */
  workspace?: string;
  /** Extra environment (PATH for stand-in executables, ...). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface BundledActionResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** What the action wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** What it wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** The `::error::`-style messages it printed (e.g. the setFailed message). */
  errors: string[];
  /** Values registered with `core.setSecret` (`::add-mask::`). */
  masked: string[];
}

/** Parses the GITHUB_OUTPUT/GITHUB_ENV file format: `name<<DELIM\nvalue\nDELIM` blocks or `name=value` lines. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      result[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

function unescapeCommand(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * Runs `node dist/index.js` as the runner does: INPUT_* variables, the event payload in a file,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_REPOSITORY and GITHUB_API_URL. Runs the
 * child asynchronously, so a fake server in this process keeps answering.
 */
export async function runBundledAction(
  options: RunBundledActionOptions,
): Promise<BundledActionResult> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'action-run-'));
  try {
    const outputFile = path.join(temp, 'output');
    const summaryFile = path.join(temp, 'summary');
    const eventFile = path.join(temp, 'event.json');
    fs.writeFileSync(outputFile, '');
    fs.writeFileSync(summaryFile, '');
    fs.writeFileSync(eventFile, JSON.stringify(options.event ?? {}));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? temp,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_TEMP: temp,
      RUNNER_OS: 'Linux',
      GITHUB_EVENT_NAME: options.eventName ?? 'workflow_dispatch',
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_REPOSITORY: options.repository ?? 'movies-org/movies-gitops',
      GITHUB_WORKSPACE: options.workspace ?? process.cwd(),
      GITHUB_SHA: '0000000000000000000000000000000000000000',
      GITHUB_RUN_ID: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      ...(options.apiUrl ? { GITHUB_API_URL: options.apiUrl } : {}),
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {})) {
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    const child = spawn(process.execPath, [path.join(options.actionDir, 'dist', 'index.js')], {
      cwd: options.workspace ?? process.cwd(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `the action did not finish within ${timeoutMs} ms:\n${Buffer.concat(stdout).toString()}`,
          ),
        );
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const out = Buffer.concat(stdout).toString('utf8');
    const commands = (name: string): string[] =>
      [...out.matchAll(new RegExp(`^::${name}(?: [^:]*)?::(.*)$`, 'gm'))].map((match) =>
        unescapeCommand(match[1]!),
      );
    return {
      exitCode,
      stdout: out,
      stderr: Buffer.concat(stderr).toString('utf8'),
      outputs: parseCommandFile(fs.readFileSync(outputFile, 'utf8')),
      summary: fs.readFileSync(summaryFile, 'utf8'),
      errors: commands('error'),
      masked: commands('add-mask'),
    };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
