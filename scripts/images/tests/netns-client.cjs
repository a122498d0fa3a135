// One HTTP request from inside a test's network namespace (started there with nsenter by
// runc.ts): argv[2] is { url, method, headers, body, untilOkMs }; prints { status, headers,
// body } as JSON. Only loopback URLs are accepted: the namespace has nothing else.
const request = JSON.parse(process.argv[2] ?? '{}');

async function once() {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    headers: {
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}

async function main() {
  const { hostname } = new URL(request.url);
  if (hostname !== '127.0.0.1') throw new Error(`refusing ${request.url}: only 127.0.0.1`);
  const deadline = Date.now() + (request.untilOkMs ?? 0);
  for (;;) {
    let answer;
    try {
      answer = await once();
    } catch (error) {
      answer = { status: 0, headers: {}, body: String(error.cause?.code ?? error.message) };
    }
    if ((answer.status >= 200 && answer.status < 300) || Date.now() > deadline) {
      process.stdout.write(JSON.stringify(answer));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
