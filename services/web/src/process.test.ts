import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildWorkspace, freePort, repoRoot, startProcess } from '@movies/testing';
import { StandInUpstream } from './__fixtures__/stand-in-upstream';

// The built service started as the container starts it: `node build/index.js`.
jest.setTimeout(120_000);

const entry = path.join(repoRoot, 'services', 'web', 'build', 'index.js');
const baseEnv = () => ({ PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' });

beforeAll(() => buildWorkspace('services/web'));

it('refuses to start without the upstream addresses, naming each one', () => {
  const result = spawnSync(process.execPath, [entry], {
    env: { ...baseEnv(), AUTH_URL: 'http://127.0.0.1:1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('DATA_URL: required');
  expect(result.stderr).toContain('RECOMMENDATION_URL: required');
  expect(result.stderr).not.toContain('AUTH_URL');
});

it('refuses an upstream address that is not an http(s) URL', () => {
  const result = spawnSync(process.execPath, [entry], {
    env: {
      ...baseEnv(),
      AUTH_URL: 'auth:8081',
      DATA_URL: 'http://d',
      RECOMMENDATION_URL: 'http://r',
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('AUTH_URL: must be an http(s) URL');
});

it('serves, becomes ready with its upstreams, and exits 0 on SIGTERM', async () => {
  const upstreams = ['auth', 'data', 'recommendation'].map((name) => new StandInUpstream(name));
  await Promise.all(upstreams.map((upstream) => upstream.start()));
  const [auth, data, recommendation] = upstreams as [
    StandInUpstream,
    StandInUpstream,
    StandInUpstream,
  ];
  const port = await freePort();
  try {
    const web = await startProcess(process.execPath, [entry], {
      env: {
        ...baseEnv(),
        PORT: String(port),
        AUTH_URL: auth.url,
        DATA_URL: data.url,
        RECOMMENDATION_URL: recommendation.url,
        SHUTDOWN_DRAIN_MS: '50',
      },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 30_000,
    });
    const version = await fetch(`http://127.0.0.1:${port}/version`);
    expect(await version.json()).toMatchObject({ service: 'web' });
    expect(await web.stop('SIGTERM')).toBe(0);
    expect(web.output()).toMatch(/"msg":"shutdown: complete"/);
  } finally {
    await Promise.all(upstreams.map((upstream) => upstream.stop()));
  }
});
