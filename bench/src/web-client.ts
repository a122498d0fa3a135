/** A non-browser client of web's API: keeps the session cookie and sends the CSRF header. */
export class WebClient {
  private cookie = '';

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      origin: this.baseUrl,
      'x-movies-csrf': '1',
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...extra,
    };
  }

  async request(
    method: string,
    pathname: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: this.headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const setCookie = response.headers.get('set-cookie');
    const session = setCookie ? /movies_session=([^;]*)/.exec(setCookie) : null;
    if (session) this.cookie = `movies_session=${session[1]}`;
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }

  /** Registers (an existing account is fine) and logs in; throws with the answer otherwise. */
  async signIn(username: string, password: string): Promise<void> {
    const registered = await this.request('POST', '/api/auth/register', { username, password });
    if (registered.status !== 201 && registered.status !== 409) {
      throw new Error(
        `register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`,
      );
    }
    const login = await this.request('POST', '/api/auth/login', { username, password });
    if (login.status !== 200)
      throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  }

  get sessionCookie(): string {
    return this.cookie;
  }
}
