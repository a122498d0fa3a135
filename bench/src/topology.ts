import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot, startProcess, type StartedProcess } from '@movies/testing';

export type ServiceName = 'auth' | 'data' | 'recommendation' | 'web';

export interface ServiceInstance {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  process: StartedProcess;
  /** SIGTERM and wait; the exit code is returned (0 = clean graceful shutdown). */
  stop(): Promise<number | string>;
  /** Starts the same instance again on the same port. */
  restart(): Promise<void>;
}

/**
 * Runs built services (`services/<name>/build/index.js`) as processes on loopback with a
 * generated JWT signing key in a temporary folder and quiet logs. With a MongoDB URI they run
 * as in production (NODE_ENV=production); the embedded in-memory stores are refused in
 * production, so without one they run in development mode. Callers wire addresses themselves,
 * which lets a scenario put a proxy between two services.
 */
export class Topology {
  readonly workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'movies-topology-'));
  readonly keyFile = path.join(this.workDir, 'jwt-private.pem');
  private readonly instances: ServiceInstance[] = [];

  constructor(private readonly baseEnv: Record<string, string> = {}) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(this.keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
  }

  async start(
    name: ServiceName,
    env: Record<string, string>,
    port?: number,
    options: { readyTimeoutMs?: number; nodeArgs?: string[] } = {},
  ): Promise<ServiceInstance> {
    const listenPort = port ?? (await freePort());
    const entry = path.join(repoRoot, 'services', name, 'build', 'index.js');
    if (!fs.existsSync(entry))
      throw new Error(`${entry} is missing: run \`node scripts/build.mjs\``);
    const fullEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: this.baseEnv.MONGODB_URI ? 'production' : 'development',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: '500',
      SHUTDOWN_GRACE_MS: '8000',
      PORT: String(listenPort),
      ...(name === 'auth' ? { JWT_PRIVATE_KEY_FILE: this.keyFile, JWT_KEY_ID: 'resilience' } : {}),
      ...this.baseEnv,
      ...env,
    };
    const url = `http://127.0.0.1:${listenPort}`;
    const launch = () =>
      startProcess(process.execPath, [...(options.nodeArgs ?? []), entry], {
        env: fullEnv,
        cwd: path.dirname(path.dirname(entry)),
        readyUrl: `${url}/readyz`,
        timeoutMs: options.readyTimeoutMs ?? 30_000,
      });
    const instance: ServiceInstance = {
      name,
      port: listenPort,
      url,
      process: await launch(),
      stop: () => instance.process.stop('SIGTERM', 15_000),
      async restart() {
        instance.process = await launch();
      },
    };
    this.instances.push(instance);
    return instance;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.process.stop('SIGTERM', 5000)));
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
