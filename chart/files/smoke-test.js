// helm test: read-only checks of the real contract through the web gateway, run after every
// deploy (prod included), so they write nothing: the catalog and genres (web -> data ->
// database), a login with a user that does not exist refused as such (web -> auth -> database),
// anonymous reads of ratings and recommendations refused (web -> data, web -> recommendation),
// and the operational endpoints absent from the public port. Runs with `node -e` in the web
// image; Node's fetch, no dependencies.
const base = process.env.WEB_URL;
const origin = new URL(base).origin;
// Never registered (auth names are 3-32 of a-z, 0-9, _ . -); random, so no lockout carries over.
const nobody = `smoke.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, { origin, 'x-movies-csrf': '1' });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  console.log(`${method} ${path} -> ${response.status}`);
  return { status: response.status, text };
}

function expect(condition, message) {
  if (!condition) {
    console.error(`FAIL: ${message}`);
    process.exit(1);
  }
}

function json(result, what) {
  try {
    return JSON.parse(result.text);
  } catch {
    expect(false, `${what} is not JSON: ${result.text.slice(0, 200)}`);
  }
}

(async () => {
  const movies = await call('GET', '/api/movies?limit=1');
  expect(movies.status === 200, `GET /api/movies answered ${movies.status}: ${movies.text}`);
  const page = json(movies, 'GET /api/movies');
  expect(
    Array.isArray(page.movies) && page.movies.length === 1,
    `GET /api/movies?limit=1 returned no movie: ${movies.text.slice(0, 200)}`,
  );
  const genres = await call('GET', '/api/genres');
  expect(genres.status === 200, `GET /api/genres answered ${genres.status}: ${genres.text}`);

  const login = await call('POST', '/api/auth/login', {
    username: nobody,
    password: 'not-a-real-password-1',
  });
  expect(
    login.status === 401 && json(login, 'login').error?.code === 'invalid_credentials',
    `a login of a user that does not exist answered ${login.status}: ${login.text}`,
  );
  for (const path of ['/api/ratings/me', '/api/recommendations']) {
    const anonymous = await call('GET', path);
    expect(anonymous.status === 401, `anonymous GET ${path} answered ${anonymous.status}`);
  }
  // The chart sets PUBLIC_PORT_ONLY (its services run with OPS_PORT); `npm start` does not.
  for (const path of process.env.PUBLIC_PORT_ONLY === 'true'
    ? ['/readyz', '/metrics', '/version']
    : []) {
    const internal = await call('GET', path);
    expect(
      internal.status === 404,
      `GET ${path} on the public port answered ${internal.status} (operational endpoints belong on the ops port)`,
    );
  }
  console.log('PASS: read paths of web, data, auth and recommendation; nothing written');
})().catch((error) => {
  console.error(`FAIL: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
