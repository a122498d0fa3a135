import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr interleaved), bounded. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Sends a signal (SIGTERM by default) and waits for the exit; SIGKILL after `killAfterMs`. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | string>;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolve only once a line of output matches this pattern. */
  readyPattern?: RegExp;
  /** Or once this URL answers with a 2xx. */
  readyUrl?: string;
  timeoutMs?: number;
  /** Keep at most this many characters of output. */
  maxOutput?: number;
}

/**
 * Starts a child process and waits until it says it is ready (a matching output line or a 2xx
 * from a URL). Fails with the captured output if it exits or times out first.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: StartOptions = {},
): Promise<StartedProcess> {
  const maxOutput = options.maxOutput ?? 200_000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  const append = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    if (buffer.length > maxOutput) buffer = buffer.slice(-maxOutput);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      buffer += `\n${error.message}`;
      resolve('spawn-error');
    });
  });

  const started: StartedProcess = {
    child,
    output: () => buffer,
    exited,
    async stop(signal = 'SIGTERM', killAfterMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let done = false;
  exited.then(() => {
    done = true;
  });
  const describe = () => `${command} ${args.join(' ')}`;
  for (;;) {
    if (done) {
      throw new Error(`${describe()} exited (${await exited}) before it was ready:\n${buffer}`);
    }
    if (options.readyPattern?.test(buffer)) return started;
    if (options.readyUrl && (await answers(options.readyUrl))) return started;
    if (!options.readyPattern && !options.readyUrl) return started;
    if (Date.now() > deadline) {
      await started.stop('SIGKILL');
      throw new Error(`${describe()} was not ready after ${timeoutMs} ms:\n${buffer}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
