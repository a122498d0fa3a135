import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWorkspace, freePort, repoRoot } from '@movies/testing';

export const SERVICE_NAMES = ['auth', 'data', 'recommendation', 'web'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

interface ReadyMessage {
  type: 'ready';
  url: string;
  ports: Record<ServiceName, number>;
  pids: Record<ServiceName, number>;
  demo: { username: string; password: string };
  mongoUri: string | null;
}

type ControlReply = {
  type: 'stopped' | 'started' | 'error';
  service?: string;
  message?: string;
  pids?: Record<ServiceName, number>;
};

export interface RunningStack {
  /** http://localhost:<web port> */
  url: string;
  ports: Record<ServiceName, number>;
  pids: Record<ServiceName, number>;
  demo: { username: string; password: string };
  launcher: ChildProcess;
  output(): string;
  /** Resolves with the launcher's exit code (or signal name). */
  exited: Promise<number | string>;
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /** Sends `signal` to the launcher and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  logDir: string;
}

export interface StackOptions {
  mongo?: boolean;
  /** FerretDB data folder (with mongo); a fresh temporary one otherwise. */
  dataDir?: string;
  timeoutMs?: number;
}

/** Builds the four services and the UI bundle, so the launcher's --no-build check passes. */
export function buildStack(): void {
  for (const name of SERVICE_NAMES) buildWorkspace(`services/${name}`);
  const ui = spawnSync(
    'flock',
    ['/tmp/movies-web-ui-build.lock', process.execPath, 'services/web/scripts/build-ui.mjs'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (ui.status !== 0) throw new Error(`building the web UI failed:\n${ui.stdout}${ui.stderr}`);
}

/**
 * Runs the local stack exactly as `npm start` does (scripts/stack/start.mjs, which builds first
 * when a build is stale) on free loopback ports, with an IPC channel so a test can stop and
 * start one service. Fails with the launcher's output when the stack does not come up.
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  buildStack();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-logs-'));
  const ports = {} as Record<ServiceName, number>;
  for (const name of SERVICE_NAMES) ports[name] = await freePort();
  const args = SERVICE_NAMES.flatMap((name) => [`--${name}-port`, String(ports[name])]);
  // Built above per workspace (under a lock); the launcher only checks that the build is current.
  args.push('--log-dir', logDir, '--no-build');
  if (options.mongo)
    args.push(
      '--mongo',
      '--data-dir',
      options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stack-ferretdb-')),
    );
  const env = { ...process.env };
  delete env.MONGODB_URI;
  const launcher = fork(path.join(repoRoot, 'scripts', 'stack', 'start.mjs'), args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-100_000);
  };
  launcher.stdout?.on('data', collect);
  launcher.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    launcher.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const messages: Array<ReadyMessage | ControlReply> = [];
  const waiters: Array<() => void> = [];
  launcher.on('message', (message: ReadyMessage | ControlReply) => {
    messages.push(message);
    for (const wake of waiters.splice(0)) wake();
  });

  const next = async <T extends ReadyMessage | ControlReply>(
    accept: (message: ReadyMessage | ControlReply) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = messages.findIndex(accept);
      if (index >= 0) return messages.splice(index, 1)[0] as T;
      const error = messages.find((message) => message.type === 'error') as
        ControlReply | undefined;
      if (error) throw new Error(`stack: ${error.message}\n${output}`);
      if (launcher.exitCode !== null || launcher.signalCode !== null)
        throw new Error(
          `the stack launcher exited (${await exited}) while waiting for ${what}:\n${output}`,
        );
      if (Date.now() > deadline)
        throw new Error(`no ${what} from the stack launcher after ${timeoutMs} ms:\n${output}`);
      await Promise.race([
        new Promise<void>((resolve) => waiters.push(resolve)),
        exited,
        new Promise((resolve) => setTimeout(resolve, 250)),
      ]);
    }
  };

  let ready: ReadyMessage;
  try {
    ready = await next<ReadyMessage>(
      (message) => message.type === 'ready',
      'ready message',
      options.timeoutMs ?? 240_000,
    );
  } catch (error) {
    launcher.kill('SIGTERM');
    await exited;
    throw error;
  }
  const stack: RunningStack = {
    url: ready.url,
    ports: ready.ports,
    pids: ready.pids,
    demo: ready.demo,
    launcher,
    logDir,
    output: () => output,
    exited,
    async stopService(name) {
      launcher.send({ type: 'stop', service: name });
      await next<ControlReply>(
        (message) => message.type === 'stopped' && (message as ControlReply).service === name,
        `${name} stopped`,
        30_000,
      );
    },
    async startService(name) {
      launcher.send({ type: 'start', service: name });
      const started = await next<ControlReply>(
        (message) => message.type === 'started' && (message as ControlReply).service === name,
        `${name} started`,
        60_000,
      );
      if (started.pids) stack.pids = started.pids;
    },
    async stop(signal = 'SIGTERM') {
      if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill(signal);
      const timer = setTimeout(() => launcher.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return stack;
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
