import { spawn } from 'node:child_process';

export interface CliOptions {
  cwd?: string;
  /** Merged over the current environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin (stdin is closed either way). */
  input?: string;
  /** Capture without echoing to this process's stdout/stderr (e.g. `terraform show -json`). */
  silent?: boolean;
  /** Exit codes that count as success; `[0]` by default (`plan -detailed-exitcode` adds 2). */
  okExitCodes?: number[];
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const STDERR_TAIL_LINES = 20;

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A command that could not start or ended with an exit code not in `okExitCodes`. */
export class CliError extends Error {
  constructor(
    readonly command: string,
    /** null when the process could not start or was killed by a signal. */
    readonly exitCode: number | null,
    readonly stderrTail: string,
    readonly stdout = '',
    readonly stderr = '',
  ) {
    super(
      `\`${command}\` ${exitCode === null ? 'did not run to completion' : `exited with code ${exitCode}`}` +
        (stderrTail ? `:\n${stderrTail}` : ''),
    );
    this.name = 'CliError';
  }
}

/**
 * Runs a command, streaming its output live (unless `silent`) while capturing both streams.
 * Resolves with the captured result; throws `CliError` on a start failure or a non-ok exit code.
 */
export function runCli(
  command: string,
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const okExitCodes = options.okExitCodes ?? [0];
  const display = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (!options.silent) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (!options.silent) process.stderr.write(chunk);
    });
    child.stdin.on('error', () => undefined); // a command that ignores stdin may close it early
    child.stdin.end(options.input ?? '');
    child.on('error', (error) => {
      reject(new CliError(display, null, `could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === null) {
        reject(
          new CliError(
            display,
            null,
            `killed by ${signal ?? 'a signal'}\n${tail(err, STDERR_TAIL_LINES)}`,
            out,
            err,
          ),
        );
      } else if (!okExitCodes.includes(code)) {
        reject(new CliError(display, code, tail(err || out, STDERR_TAIL_LINES), out, err));
      } else {
        resolve({ exitCode: code, stdout: out, stderr: err });
      }
    });
  });
}
