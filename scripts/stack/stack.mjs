// The local stack: runs the four built services as child processes on loopback, waits until
// each answers /readyz, and stops them all together. A service that dies on its own takes the
// whole stack down (after printing its last log lines), so nothing is left running half-broken.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SERVICES = ['auth', 'data', 'recommendation', 'web'];
export const DEFAULT_PORTS = { web: 8080, auth: 8081, recommendation: 8082, data: 8083 };
const TAIL_LINES = 30;

/** The environment of each service: its port plus the addresses of the services it calls. */
export function serviceEnvironment(name, { ports, mongoUri, baseEnv }) {
  const url = (service) => `http://127.0.0.1:${ports[service]}`;
  const env = {
    ...baseEnv,
    PORT: String(ports[name]),
    LOG_LEVEL: baseEnv.LOG_LEVEL ?? 'info',
    // Ctrl-C should be quick locally; there is no load balancer to drain.
    SHUTDOWN_DRAIN_MS: baseEnv.SHUTDOWN_DRAIN_MS ?? '100',
  };
  delete env.MONGODB_URI;
  if (mongoUri && (name === 'auth' || name === 'data')) env.MONGODB_URI = mongoUri;
  if (name !== 'auth') env.AUTH_URL = url('auth');
  if (name === 'recommendation' || name === 'web') env.DATA_URL = url('data');
  if (name === 'web') env.RECOMMENDATION_URL = url('recommendation');
  return env;
}

class ServiceProcess {
  constructor(name, { repoRoot, env, logDir }) {
    this.name = name;
    this.repoRoot = repoRoot;
    this.env = env;
    this.logFile = path.join(logDir, `${name}.log`);
    this.tail = [];
    this.child = null;
    this.exited = null;
  }

  start() {
    const dir = path.join(this.repoRoot, 'services', this.name);
    const entry = path.join(dir, 'build', 'index.js');
    if (!fs.existsSync(entry))
      throw new Error(`${this.name}: ${entry} is missing: run \`node scripts/build.mjs\``);
    const log = fs.createWriteStream(this.logFile, { flags: 'a' });
    // Own process group: a Ctrl-C in the terminal reaches only the launcher, which then stops
    // each service once, in order, and can kill a service together with anything it spawned.
    const child = spawn(process.execPath, [entry], {
      cwd: dir,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    let partial = '';
    const collect = (chunk) => {
      log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      this.tail.push(...lines.filter((line) => line.trim() !== ''));
      if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (partial.trim() !== '') this.tail.push(partial);
        log.end();
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', (error) => {
        this.tail.push(`spawn failed: ${error.message}`);
        log.end();
        resolve('spawn-error');
      });
    });
    return child;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  signalGroup(signal) {
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  async stop(killAfterMs = 15_000) {
    if (!this.child) return null;
    if (this.running) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), killAfterMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Anything the service itself spawned goes with it.
    this.signalGroup('SIGKILL');
    return this.exited;
  }
}

async function answers(url, timeoutMs = 1000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts the stack. `onServiceDied(name, exitCode, tailLines)` is called when a service exits
 * without being asked to; the caller decides what to do (the CLI stops everything).
 */
export class Stack {
  constructor({
    repoRoot,
    ports = DEFAULT_PORTS,
    mongoUri,
    logDir,
    baseEnv = process.env,
    readyTimeoutMs = 60_000,
  }) {
    this.repoRoot = repoRoot;
    this.ports = ports;
    this.readyTimeoutMs = readyTimeoutMs;
    this.onServiceDied = () => {};
    fs.mkdirSync(logDir, { recursive: true });
    const inherited = { ...baseEnv };
    delete inherited.PORT;
    this.services = new Map(
      SERVICES.map((name) => [
        name,
        new ServiceProcess(name, {
          repoRoot,
          logDir,
          env: serviceEnvironment(name, { ports, mongoUri, baseEnv: inherited }),
        }),
      ]),
    );
    this.stopping = new Set();
  }

  get url() {
    return `http://localhost:${this.ports.web}`;
  }

  service(name) {
    const service = this.services.get(name);
    if (!service) throw new Error(`unknown service "${name}" (one of ${SERVICES.join(', ')})`);
    return service;
  }

  /** Starts one service and resolves once it answers /readyz; rejects with its last log lines. */
  async startService(name) {
    const service = this.service(name);
    if (service.running) return;
    this.stopping.delete(name);
    service.tail = [];
    service.start();
    service.exited.then((code) => {
      if (!this.stopping.has(name)) this.onServiceDied(name, code, service.tail.slice());
    });
    const readyUrl = `http://127.0.0.1:${this.ports[name]}/readyz`;
    const deadline = Date.now() + this.readyTimeoutMs;
    while (!(await answers(readyUrl))) {
      if (!service.running) {
        throw new ServiceFailure(
          name,
          `exited (${await service.exited}) before it was ready`,
          service.tail,
        );
      }
      if (Date.now() > deadline) {
        throw new ServiceFailure(
          name,
          `was not ready after ${this.readyTimeoutMs} ms (${readyUrl})`,
          service.tail,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stopService(name) {
    this.stopping.add(name);
    return this.service(name).stop();
  }

  /** auth first (the others fetch its signing keys), then data and recommendation, then web. */
  async start() {
    await this.startService('auth');
    await Promise.all([this.startService('data'), this.startService('recommendation')]);
    await this.startService('web');
  }

  /** Stops in reverse order: web first so no request reaches a stopped upstream. */
  async stop() {
    for (const name of SERVICES) this.stopping.add(name);
    await this.stopService('web');
    await Promise.all(['recommendation', 'data', 'auth'].map((name) => this.stopService(name)));
  }

  pids() {
    return Object.fromEntries(
      [...this.services].map(([name, service]) => [name, service.child?.pid ?? null]),
    );
  }
}

export class ServiceFailure extends Error {
  constructor(service, reason, tail) {
    super(`${service} ${reason}`);
    this.service = service;
    this.tail = tail.slice();
  }
}

/** Registers the demo account through auth (an existing one is kept) and checks it can log in. */
export async function seedDemoAccount(authUrl, { username, password }) {
  const post = (pathname) =>
    fetch(`${authUrl}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      signal: AbortSignal.timeout(5000),
    });
  const registered = await post('/register');
  if (registered.status !== 201 && registered.status !== 409) {
    throw new Error(
      `registering ${username} failed: ${registered.status} ${await registered.text()}`,
    );
  }
  await registered.arrayBuffer().catch(() => undefined);
  const login = await post('/login');
  if (!login.ok)
    throw new Error(`logging in as ${username} failed: ${login.status} ${await login.text()}`);
  await login.arrayBuffer();
  return registered.status === 201 ? 'created' : 'existing';
}
