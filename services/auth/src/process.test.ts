import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildWorkspace, freePort, repoRoot, startProcess } from '@movies/testing';

// The built service, started as the container starts it: `node build/index.js`.
jest.setTimeout(180_000);

const entry = path.join(repoRoot, 'services', 'auth', 'build', 'index.js');
let dir: string;
let keyFile: string;

beforeAll(() => {
  buildWorkspace('services/auth');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-process-'));
  keyFile = path.join(dir, 'private.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const baseEnv = () => ({ PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' });

describe('configuration errors', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT: must be an integer 1-65535'],
    [{ PASSWORD_SCRYPT_N: '3000' }, 'PASSWORD_SCRYPT_N: must be a power of two'],
    [
      { NODE_ENV: 'production', MONGODB_URI: 'mongodb://127.0.0.1:1/' },
      'JWT_PRIVATE_KEY_FILE: required when NODE_ENV=production',
    ],
    [
      { JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' },
      'JWT_PRIVATE_KEY_FILE: cannot read /nonexistent/key.pem',
    ],
    [{ NODE_ENV: 'production' }, 'MONGODB_URI: required when NODE_ENV=production'],
    [
      { NODE_ENV: 'production', ALLOW_IN_MEMORY_USERS: 'yes' },
      'ALLOW_IN_MEMORY_USERS: must be true or false',
    ],
  ])('%j exits 1 naming the variable', (env, message) => {
    const result = spawnSync(process.execPath, [entry], {
      env: { ...baseEnv(), ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(1);
  });
});

/** The built service on a free port with the test key; resolves once it listens. */
async function startAuth(env: Record<string, string>) {
  const port = await freePort();
  const service = await startProcess(process.execPath, [entry], {
    env: { ...baseEnv(), PORT: String(port), JWT_PRIVATE_KEY_FILE: keyFile, ...env },
    readyPattern: /auth listening/,
  });
  return { port, service };
}

describe('the in-memory user store in production', () => {
  it('starts only with ALLOW_IN_MEMORY_USERS=true, and says loudly what it loses', async () => {
    const { port, service } = await startAuth({
      NODE_ENV: 'production',
      ALLOW_IN_MEMORY_USERS: 'true',
    });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(service.output()).toContain('IN-MEMORY USER STORE');
    } finally {
      await service.stop('SIGKILL');
    }
  });
});

function rawRequest(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    closed,
    response: () => received,
  };
}

describe('graceful shutdown of the built service', () => {
  it('turns /readyz 503 at once, finishes a slow in-flight request after SIGTERM, then exits 0', async () => {
    const { port, service } = await startAuth({
      NODE_ENV: 'test',
      PASSWORD_SCRYPT_N: '1024',
      SHUTDOWN_DRAIN_MS: '500',
      SHUTDOWN_GRACE_MS: '10000',
    });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      // A slow client: headers now, body later. The request is in flight across the shutdown.
      const body = JSON.stringify({ username: 'slowpoke', password: 'slow-but-sure' });
      const slow = rawRequest(port);
      slow.socket.write(
        `POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));

      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      await waitFor(() => /shutdown: marked not ready/.test(service.output()));
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'not_ready',
        reasons: { shutdown: 'shutting down' },
      });

      await waitFor(() => /shutdown: closing server/.test(service.output()));
      // The listener is closed now, but the in-flight request still gets its answer.
      await expect(
        fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } }),
      ).rejects.toThrow();
      expect(service.child.exitCode).toBeNull();
      slow.socket.write(body);
      await slow.closed;
      expect(slow.response()).toMatch(/^HTTP\/1\.1 201 Created/);
      expect(slow.response()).toContain('"username":"slowpoke"');

      expect(await service.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      // 'exit' can come before the last piped output was read.
      await waitFor(() => service.output().includes('shutdown: complete'), 3000);
      const output = service.output();
      for (const phase of [
        'shutdown: marked not ready, draining',
        'shutdown: closing server',
        'shutdown: server closed, running closers',
        'shutdown: complete',
      ]) {
        expect(output).toContain(phase);
      }
      // The slow request was answered after the listener closed.
      expect(output.indexOf('"username":"slowpoke","msg":"user registered"')).toBeGreaterThan(
        output.indexOf('shutdown: closing server'),
      );
    } finally {
      await service.stop('SIGKILL');
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
