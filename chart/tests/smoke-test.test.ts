// The helm test pod's script, taken from the rendered Pod, run with node: against a stand-in for
// web's gateway on loopback that enforces the same contract (CSRF defences) and can misbehave,
// and against the real four services started by the local stack launcher.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
// The web service's harness: builds the four services and runs the `npm start` launcher on free
// loopback ports.
import { startStack } from '../../services/web/src/__fixtures__/stack-harness';
import { one, productionLike, render } from './render';

const execFileAsync = promisify(execFile);

interface Behaviour {
  moviesStatus: number;
  /** A login of an unknown user is accepted (a broken auth). */
  acceptsAnyLogin: boolean;
  /** /readyz, /metrics and /version answer on the public port (OPS_PORT not in effect). */
  opsOnPublicPort: boolean;
}

const good: Behaviour = { moviesStatus: 200, acceptsAnyLogin: false, opsOnPublicPort: false };

/** A stand-in for web's gateway that enforces its CSRF defences and records what it was asked. */
function standInWeb(behaviour: Behaviour) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const error = (status: number, code: string) =>
        reply(status, { error: { code, message: code, requestId: 'r' } });
      if (req.method === 'POST') {
        const origin = req.headers.origin;
        if (
          origin === undefined ||
          new URL(origin).host !== req.headers.host ||
          req.headers['x-movies-csrf'] !== '1'
        )
          return error(403, 'csrf_rejected');
      }
      if (req.method === 'GET' && req.url === '/api/movies?limit=1')
        return behaviour.moviesStatus === 200
          ? reply(200, {
              movies: [{ id: 'alien-1979', title: 'Alien', year: 1979, genres: ['Horror'] }],
              nextCursor: 'c',
            })
          : error(behaviour.moviesStatus, 'unavailable');
      if (req.method === 'GET' && req.url === '/api/genres')
        return reply(200, { genres: ['Horror'] });
      if (req.method === 'POST' && req.url === '/api/auth/login') {
        const { username = '' } = JSON.parse(body || '{}') as { username?: string };
        if (!/^[a-z0-9_.-]{3,32}$/.test(username)) return error(400, 'invalid_request');
        return behaviour.acceptsAnyLogin
          ? reply(200, { user: { username }, expiresIn: 900 })
          : error(401, 'invalid_credentials');
      }
      if (
        req.method === 'GET' &&
        (req.url === '/api/ratings/me' || req.url === '/api/recommendations')
      )
        return error(401, 'unauthenticated');
      if (behaviour.opsOnPublicPort && ['/readyz', '/metrics', '/version'].includes(req.url ?? ''))
        return reply(200, { status: 'ready' });
      error(404, 'not_found');
    });
  });
  return { server, seen };
}

let script: string;

beforeAll(async () => {
  const { manifests } = await render(productionLike);
  const pod = one(manifests, 'Pod', 'movies-smoke-test');
  // The web image's entrypoint is node: the pod passes only arguments.
  expect(pod.spec.containers[0].command).toBeUndefined();
  const [flag, source] = pod.spec.containers[0].args as string[];
  expect(flag).toBe('-e');
  expect(pod.spec.containers[0].image).toBe(
    one(manifests, 'Deployment', 'movies-web').spec.template.spec.containers[0].image,
  );
  expect(pod.metadata.annotations!['helm.sh/hook']).toBe('test');
  script = source!;
}, 30_000);

/** Runs the script as the pod does (node -e) with WEB_URL pointing at `url`. */
async function runScript(
  url: string,
  env: Record<string, string> = { PUBLIC_PORT_ONLY: 'true' },
): Promise<{ code: number; output: string }> {
  return execFileAsync(process.execPath, ['-e', script], {
    env: { ...process.env, WEB_URL: url, ...env },
    timeout: 30_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: (error.stdout ?? '') + (error.stderr ?? ''),
    }),
  );
}

async function runAgainst(behaviour: Behaviour) {
  const { server, seen } = standInWeb(behaviour);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const result = await runScript(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { ...result, seen };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('helm test script', () => {
  it('checks every read path through web and writes nothing', async () => {
    const result = await runAgainst(good);
    expect(result.seen).toEqual([
      'GET /api/movies?limit=1',
      'GET /api/genres',
      'POST /api/auth/login',
      'GET /api/ratings/me',
      'GET /api/recommendations',
      'GET /readyz',
      'GET /metrics',
      'GET /version',
    ]);
    // The only POST is a login that must be refused: no registration, no rating, no session.
    expect(result.seen.filter((r) => !r.startsWith('GET '))).toEqual(['POST /api/auth/login']);
    expect(result.output).toContain('PASS');
    expect(result.code).toBe(0);
  });

  it('fails when the catalog does not answer', async () => {
    const result = await runAgainst({ ...good, moviesStatus: 503 });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/FAIL: GET \/api\/movies answered 503/);
  });

  it('fails when a user that does not exist can log in', async () => {
    const result = await runAgainst({ ...good, acceptsAnyLogin: true });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/FAIL: a login of a user that does not exist answered 200/);
  });

  it('fails when the operational endpoints answer on the public port', async () => {
    const result = await runAgainst({ ...good, opsOnPublicPort: true });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/FAIL: GET \/readyz on the public port answered 200/);
  });
});

describe('helm test script against the real services', () => {
  it('passes through the real web gateway, auth and data (local stack, in-memory stores)', async () => {
    const stack = await startStack();
    try {
      const result = await runScript(stack.url, {});
      // The local stack runs without OPS_PORT (everything on one port), as `npm start` does.
      expect(result.output).toContain('GET /api/movies?limit=1 -> 200');
      expect(result.output).toContain('POST /api/auth/login -> 401');
      expect(result.output).toContain('PASS');
      expect(result.code).toBe(0);
    } finally {
      await stack.stop('SIGTERM');
    }
  }, 300_000);
});
