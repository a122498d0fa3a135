import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createJwksVerifier, keyIdFor, type JwksVerifier } from '@movies/kit';
import { validTestToken } from '@movies/testing';
import { buildTestAuth } from './__fixtures__/test-support';
import { loadSigningKeys, reloadSigningKeys, watchSigningKeys } from './keys';

jest.setTimeout(60_000);

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();

/**
 * Writes the key ring the way the kubelet updates a mounted Secret: the files live in a
 * timestamped folder and `..data` is swapped to it atomically; each slot is a symlink.
 */
function writeRing(dir: string, ring: Partial<Record<'current' | 'next' | 'previous', KeyObject>>) {
  const version = fs.mkdtempSync(path.join(dir, '..ring-'));
  for (const [slot, key] of Object.entries(ring))
    fs.writeFileSync(path.join(version, `${slot}.pem`), pem(key!));
  const link = path.join(dir, `..data-${path.basename(version)}`);
  fs.symlinkSync(path.basename(version), link);
  fs.renameSync(link, path.join(dir, '..data'));
  for (const slot of ['current', 'next', 'previous']) {
    const file = path.join(dir, `${slot}.pem`);
    if (!fs.existsSync(file) && slot in ring) fs.symlinkSync(`..data/${slot}.pem`, file);
    if (fs.lstatSync(file, { throwIfNoEntry: false }) && !(slot in ring)) fs.rmSync(file);
  }
}

describe('JWT key rotation without logging anyone out', () => {
  const [a, b, c, d] = [pair(), pair(), pair(), pair()];
  const kid = (key: { publicKey: KeyObject }) => keyIdFor(key.publicKey);
  let dir: string;
  let auth: ReturnType<typeof buildTestAuth>;
  let base: string;
  let close: () => Promise<void>;
  // A verifier like data's and recommendation's, which may not refetch the JWKS during the test:
  // it must know the new signing key from before the rotation.
  let downstream: JwksVerifier;

  const loginToken = async (username: string) => {
    const response = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'correct-horse' }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { accessToken: string }).accessToken;
  };
  const me = (token: string) =>
    fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const headerKid = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-ring-'));
    writeRing(dir, { current: a.privateKey, next: b.privateKey });
    auth = buildTestAuth({ env: { JWT_PRIVATE_KEY: '', JWT_KEY_ID: '', JWT_KEYS_DIR: dir } });
    const server = auth.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
    downstream = createJwksVerifier({
      jwksUrl: `${base}/.well-known/jwks.json`,
      issuer: auth.config.JWT_ISSUER,
      audience: auth.config.JWT_AUDIENCE,
      minRefetchIntervalMs: 3_600_000,
    });
    for (const user of ['ana', 'bob'])
      await fetch(`${base}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user, password: 'correct-horse' }),
      });
  });
  afterAll(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the current and the next key and signs with the current one', async () => {
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([kid(a), kid(b)]);
    const token = await loginToken('ana');
    expect(headerKid(token)).toBe(kid(a));
    expect(await me(token)).toBe(200);
    await expect(downstream.verify(token)).resolves.toMatchObject({ sub: expect.any(String) });
  });

  it('after a rotation, tokens from before stay valid everywhere and new ones use the next key', async () => {
    const before = await loginToken('ana');
    // The rotation: next becomes current, current becomes previous, a new next.
    writeRing(dir, { previous: a.privateKey, current: b.privateKey, next: c.privateKey });
    expect(reloadSigningKeys(auth.keys, dir)).toEqual([kid(b), kid(c), kid(a)]);

    const after = await loginToken('bob');
    expect(headerKid(after)).toBe(kid(b));
    // At auth itself and at a verifier that cannot refetch: the old token still verifies, and
    // the new one verifies with the key it already had from before the rotation.
    expect([await me(before), await me(after)]).toEqual([200, 200]);
    await expect(downstream.verify(before)).resolves.toBeTruthy();
    await expect(downstream.verify(after)).resolves.toBeTruthy();
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([kid(b), kid(c), kid(a)]);
  });

  it('the rotation after that retires the oldest key: its tokens (long expired by then) stop working', async () => {
    const signedWithB = await loginToken('ana');
    const anaId = (
      JSON.parse(Buffer.from(signedWithB.split('.')[1]!, 'base64url').toString()) as {
        sub: string;
      }
    ).sub;
    const signedWithA = validTestToken({
      privateKey: a.privateKey,
      kid: kid(a),
      issuer: auth.config.JWT_ISSUER,
      audience: auth.config.JWT_AUDIENCE,
      subject: anaId,
    });
    expect(await me(signedWithA)).toBe(200);
    writeRing(dir, { previous: b.privateKey, current: c.privateKey, next: d.privateKey });
    expect(reloadSigningKeys(auth.keys, dir)).toEqual([kid(c), kid(d), kid(b)]);
    expect([await me(signedWithB), await me(signedWithA)]).toEqual([200, 401]);
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((key) => key.kid)).not.toContain(kid(a));
  });

  it('the watcher picks a rotation up by itself and keeps the ring when an update is broken', async () => {
    const lines: Array<[Record<string, unknown>, string]> = [];
    const logger = {
      info: (object: Record<string, unknown>, message: string) => lines.push([object, message]),
      error: (object: Record<string, unknown>, message: string) => lines.push([object, message]),
    };
    const stop = watchSigningKeys(auth.keys, dir, { intervalMs: 50, logger });
    try {
      writeRing(dir, { previous: c.privateKey, current: d.privateKey, next: a.privateKey });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(auth.keys.active.kid).toBe(kid(d));
      expect(lines.map(([, message]) => message)).toContain('JWT keys rotated');
      // A half-written update (no current key) is refused; the ring stays as it was.
      writeRing(dir, { next: b.privateKey });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(auth.keys.active.kid).toBe(kid(d));
      expect(lines.map(([, message]) => message)).toContain(
        'JWT keys: reload failed, keeping the current keys',
      );
      expect(headerKid(await loginToken('ana'))).toBe(kid(d));
    } finally {
      stop();
    }
  });

  it('refuses a ring without current.pem and a ring mixed with the single-key variables', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-empty-'));
    try {
      expect(() => loadSigningKeys({ NODE_ENV: 'production', JWT_KEYS_DIR: empty })).toThrow(
        /JWT_KEYS_DIR: .* has no current.pem/,
      );
      expect(() =>
        loadSigningKeys({ NODE_ENV: 'production', JWT_KEYS_DIR: empty, JWT_KEY_ID: 'k' }),
      ).toThrow(/JWT_KEYS_DIR: set either JWT_KEYS_DIR or JWT_KEY_ID, not both/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
