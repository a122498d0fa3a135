// helm test: the real contract through the web gateway: register, log in (httpOnly session
// cookie), read /api/ratings/me. Runs with `node -e` in the web image; Node's fetch, no
// dependencies. State-changing requests carry web's CSRF defences: an Origin naming web's host
// and the x-movies-csrf header.
const base = process.env.WEB_URL;
const sessionCookie = process.env.SESSION_COOKIE || 'movies_session';
const origin = new URL(base).origin;
const cookies = new Map();
// auth accepts 3-32 characters of a-z, 0-9, _ . -
const user = `helm-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}A1!`;

function cookieHeader() {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, { origin, 'x-movies-csrf': '1' });
  if (cookies.size > 0) headers.cookie = cookieHeader();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(10000),
  });
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair.indexOf('=');
    cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
  }
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

(async () => {
  const credentials = { username: user, password };
  const registered = await call('POST', '/api/auth/register', credentials);
  expect(
    registered.status === 201 || registered.status === 200,
    `register answered ${registered.status}: ${registered.text}`,
  );
  const loggedIn = await call('POST', '/api/auth/login', credentials);
  expect(
    loggedIn.status === 200 || loggedIn.status === 204,
    `login answered ${loggedIn.status}: ${loggedIn.text}`,
  );
  expect(cookies.has(sessionCookie), `login did not set the ${sessionCookie} cookie`);
  const ratings = await call('GET', '/api/ratings/me');
  expect(ratings.status === 200, `GET /api/ratings/me answered ${ratings.status}: ${ratings.text}`);
  JSON.parse(ratings.text);
  console.log('PASS: registered, logged in and read /api/ratings/me through web');
})().catch((error) => {
  console.error(`FAIL: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
