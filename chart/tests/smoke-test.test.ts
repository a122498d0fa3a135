// The helm test pod's script, taken from the rendered Pod, run with node: against a stand-in for
// web's gateway on loopback that enforces the same contract (CSRF defences, session cookie) and
// can misbehave, and against the real four services started by the local stack launcher.
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
  setsCookie: boolean;
  ratingsStatus: number;
}

function standInWeb(behaviour: Behaviour) {
  const users = new Map<string, string>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST') {
        const origin = req.headers.origin;
        if (
          origin === undefined ||
          new URL(origin).host !== req.headers.host ||
          req.headers['x-movies-csrf'] !== '1'
        ) {
          reply(403, {
            error: {
              code: 'csrf_rejected',
              message: 'cross-origin request refused',
              requestId: 'r',
            },
          });
          return;
        }
      }
      const json = () => JSON.parse(body || '{}') as { username?: string; password?: string };
      if (req.method === 'POST' && req.url === '/api/auth/register') {
        const { username = '', password = '' } = json();
        if (!/^[a-z0-9_.-]{3,32}$/.test(username) || password.length < 8)
          return reply(400, { error: { code: 'invalid', message: 'bad', requestId: 'r' } });
        users.set(username, password);
        return reply(201, { id: '1', username });
      }
      if (req.method === 'POST' && req.url === '/api/auth/login') {
        const { username = '', password } = json();
        if (users.get(username) !== password)
          return reply(401, {
            error: { code: 'invalid_credentials', message: 'no', requestId: 'r' },
          });
        return reply(
          200,
          { user: { username } },
          behaviour.setsCookie
            ? { 'set-cookie': 'movies_session=token-123; Path=/; HttpOnly; SameSite=Lax' }
            : {},
        );
      }
      if (req.method === 'GET' && req.url === '/api/ratings/me') {
        if (!/(^|; )movies_session=token-123(;|$)/.test(req.headers.cookie ?? ''))
          return reply(401, { error: { code: 'unauthenticated', message: 'no', requestId: 'r' } });
        return behaviour.ratingsStatus === 200
          ? reply(200, { ratings: [] })
          : reply(behaviour.ratingsStatus, {
              error: { code: 'x', message: 'down', requestId: 'r' },
            });
      }
      reply(404, { error: { code: 'not_found', message: 'no route', requestId: 'r' } });
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
async function runScript(url: string): Promise<{ code: number; output: string }> {
  return execFileAsync(process.execPath, ['-e', script], {
    env: { ...process.env, WEB_URL: url },
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
  it('registers, logs in and reads /api/ratings/me through web, passing its CSRF checks', async () => {
    const result = await runAgainst({ setsCookie: true, ratingsStatus: 200 });
    expect(result.seen).toEqual([
      'POST /api/auth/register',
      'POST /api/auth/login',
      'GET /api/ratings/me',
    ]);
    expect(result.output).toContain('PASS');
    expect(result.code).toBe(0);
  });

  it('fails when login sets no session cookie', async () => {
    const result = await runAgainst({ setsCookie: false, ratingsStatus: 200 });
    expect(result.code).toBe(1);
    expect(result.output).toContain('FAIL: login did not set the movies_session cookie');
  });

  it('fails when /api/ratings/me does not answer 200', async () => {
    const result = await runAgainst({ setsCookie: true, ratingsStatus: 503 });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/FAIL: GET \/api\/ratings\/me answered 503/);
  });
});

describe('helm test script against the real services', () => {
  it('passes through the real web gateway, auth and data (local stack, in-memory stores)', async () => {
    const stack = await startStack();
    try {
      const result = await runScript(stack.url);
      expect(result.output).toContain('GET /api/ratings/me -> 200');
      expect(result.output).toContain('PASS');
      expect(result.code).toBe(0);
    } finally {
      await stack.stop('SIGTERM');
    }
  }, 300_000);
});
