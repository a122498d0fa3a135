// Runs unpacked images under runc the way the chart runs them: read-only root filesystem, a
// tmpfs on /tmp (the chart's emptyDir), no capabilities, no privilege escalation, the UID the
// chart sets, inside a network namespace this test creates (loopback only). Requests reach the
// containers through a client run inside that namespace, on 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, startProcess, type StartedProcess } from '@movies/testing';
import type { ImageConfig } from './oci-image';

export class NetworkNamespace {
  readonly path: string;

  constructor(readonly name: string) {
    execFileSync('ip', ['netns', 'add', name]);
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    this.path = `/run/netns/${name}`;
  }

  /** Runs the HTTP client inside the namespace: { status, headers, body } of one request. */
  request(request: ClientRequest): ClientResponse {
    const result = spawnSync(
      'nsenter',
      [
        `--net=${this.path}`,
        process.execPath,
        path.join(__dirname, 'netns-client.cjs'),
        JSON.stringify(request),
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 90_000 },
    );
    if (result.status !== 0) {
      throw new Error(`client in ${this.name} failed (${result.status}): ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as ClientResponse;
  }

  delete(): void {
    spawnSync('ip', ['netns', 'delete', this.name]);
  }
}

export interface ClientRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Retry until the answer is a 2xx, for at most this long. */
  untilOkMs?: number;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ContainerSpec {
  id: string;
  rootfs: string;
  config: ImageConfig;
  netns: NetworkNamespace;
  uid: number;
  gid: number;
  env?: Record<string, string>;
  /** Replaces entrypoint + cmd. */
  args?: string[];
  /** Host directories bind-mounted read-write: { containerPath: hostPath }. */
  volumes?: Record<string, string>;
}

function ociConfig(spec: ContainerSpec) {
  const args = spec.args ?? [...(spec.config.Entrypoint ?? []), ...(spec.config.Cmd ?? [])];
  const env = [
    ...(spec.config.Env ?? []),
    ...Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
  ];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: spec.uid, gid: spec.gid },
      args,
      env,
      cwd: spec.config.WorkingDir || '/',
      capabilities: { bounding: [], effective: [], permitted: [], ambient: [] },
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
    },
    root: { path: spec.rootfs, readonly: true },
    hostname: spec.id,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      {
        destination: '/tmp',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
      },
      ...Object.entries(spec.volumes ?? {}).map(([destination, source]) => ({
        destination,
        type: 'bind',
        source,
        options: ['rbind', 'rw'],
      })),
    ],
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: spec.netns.path },
      ],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** runc with its own state directory, so nothing here touches another runtime's containers. */
export class Runc {
  constructor(readonly stateDir: string) {
    fs.mkdirSync(stateDir, { recursive: true });
  }

  private bundle(spec: ContainerSpec): string {
    const bundle = path.join(this.stateDir, 'bundles', spec.id);
    fs.mkdirSync(bundle, { recursive: true });
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(ociConfig(spec), null, 2));
    return bundle;
  }

  /** Starts a container; resolves once its output matches `readyPattern`. */
  start(spec: ContainerSpec, readyPattern: RegExp, timeoutMs = 60_000): Promise<StartedProcess> {
    return startProcess(
      'runc',
      ['--root', this.stateDir, 'run', '--bundle', this.bundle(spec), spec.id],
      { readyPattern, timeoutMs },
    );
  }

  /** Runs a container to its end: exit code and output. */
  async runToEnd(
    spec: ContainerSpec,
    timeoutMs = 60_000,
  ): Promise<{ code: number | string; output: string }> {
    const started = await startProcess(
      'runc',
      ['--root', this.stateDir, 'run', '--bundle', this.bundle(spec), spec.id],
      { timeoutMs },
    );
    const timer = setTimeout(() => this.kill(spec.id, 'KILL'), timeoutMs);
    const code = await started.exited;
    clearTimeout(timer);
    this.remove(spec.id);
    return { code, output: started.output() };
  }

  kill(id: string, signal = 'TERM'): void {
    spawnSync('runc', ['--root', this.stateDir, 'kill', id, signal]);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; the container is deleted either way. */
  async stop(id: string, process: StartedProcess, graceMs = 10_000): Promise<number | string> {
    this.kill(id, 'TERM');
    const timer = setTimeout(() => this.kill(id, 'KILL'), graceMs);
    const code = await process.exited;
    clearTimeout(timer);
    this.remove(id);
    return code;
  }

  remove(id: string): void {
    spawnSync('runc', ['--root', this.stateDir, 'delete', '--force', id]);
  }

  /** Deletes every container in this state directory (force: running ones are killed). */
  removeAll(): void {
    const listed = spawnSync('runc', ['--root', this.stateDir, 'list', '--quiet'], {
      encoding: 'utf8',
    });
    for (const id of (listed.stdout ?? '').split('\n').filter(Boolean)) this.remove(id);
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A work directory `<base>/<pid>` for this run, after removing what runs that died without
 * their afterAll (a killed jest) left behind: their containers (runc state `<dir>/runc`), their
 * network namespace (`<netnsPrefix><pid>`) and their unpacked images.
 */
export function freshRunDir(base: string, netnsPrefix: string): string {
  fs.mkdirSync(base, { recursive: true });
  for (const entry of fs.readdirSync(base)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    const dir = path.join(base, entry);
    if (fs.existsSync(path.join(dir, 'runc'))) new Runc(path.join(dir, 'runc')).removeAll();
    spawnSync('ip', ['netns', 'delete', `${netnsPrefix}${pid}`]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const dir = path.join(base, String(process.pid));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  return dir;
}
