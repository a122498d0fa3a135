import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, createKeySetVerifier, keyIdFor } from '@movies/kit';
import { loadSigningKeys } from './keys';
import { createTokenIssuer } from './tokens';

const pem = (key: { export(options: object): string | Buffer }, type: 'pkcs8' | 'spki') =>
  key.export({ format: 'pem', type }).toString();

describe('loadSigningKeys', () => {
  let dir: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-keys-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads the private key file, derives the kid from the thumbprint and publishes extra keys', () => {
    const keys = loadSigningKeys({
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY_FILE: write('private.pem', pem(rsa.privateKey, 'pkcs8')),
      JWT_PUBLIC_KEYS_FILE: write(
        'extra.json',
        JSON.stringify({ 'old-key': pem(next.publicKey, 'spki') }),
      ),
    });
    expect(keys.generated).toBe(false);
    expect(keys.active.kid).toBe(keyIdFor(rsa.publicKey));
    expect(keys.jwks.keys.map((key) => [key.kid, key.alg])).toEqual([
      [keyIdFor(rsa.publicKey), 'RS256'],
      ['old-key', 'RS256'],
    ]);
    expect(JSON.stringify(keys.jwks)).not.toMatch(/"d"|"p"|"q"/);
  });

  it('reads an inline PEM with escaped newlines and an explicit kid; EC keys sign ES256', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = loadSigningKeys({
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8').replace(/\n/g, '\\n'),
      JWT_KEY_ID: 'ec-1',
    });
    expect(keys.active).toMatchObject({ kid: 'ec-1', alg: 'ES256' });
  });

  it('generates a key pair outside production only', () => {
    expect(loadSigningKeys({ NODE_ENV: 'development' }).generated).toBe(true);
    expect(() => loadSigningKeys({ NODE_ENV: 'production' })).toThrow(
      /JWT_PRIVATE_KEY_FILE: required when NODE_ENV=production/,
    );
  });

  it.each([
    [
      { JWT_PRIVATE_KEY_FILE: '/nonexistent/private.pem' },
      'JWT_PRIVATE_KEY_FILE: cannot read /nonexistent/private.pem (ENOENT)',
    ],
    [{ JWT_PRIVATE_KEY: 'not a pem' }, 'JWT_PRIVATE_KEY: not a PEM private key'],
    [
      { JWT_PRIVATE_KEY: 'x', JWT_PRIVATE_KEY_FILE: '/x' },
      'set either JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY',
    ],
  ])('names the variable for %j', (config, message) => {
    expect(() => loadSigningKeys({ NODE_ENV: 'development', ...config })).toThrow(message);
  });

  it('refuses small RSA keys and bad rotation files', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      loadSigningKeys({ NODE_ENV: 'development', JWT_PRIVATE_KEY: pem(small.privateKey, 'pkcs8') }),
    ).toThrow(/too small/);
    const base = {
      NODE_ENV: 'development',
      JWT_PRIVATE_KEY: pem(rsa.privateKey, 'pkcs8'),
      JWT_KEY_ID: 'active',
    };
    expect(() =>
      loadSigningKeys({ ...base, JWT_PUBLIC_KEYS_FILE: write('bad.json', '[') }),
    ).toThrow(ConfigError);
    expect(() =>
      loadSigningKeys({
        ...base,
        JWT_PUBLIC_KEYS_FILE: write(
          'dup.json',
          JSON.stringify({ active: pem(next.publicKey, 'spki') }),
        ),
      }),
    ).toThrow(/active key's id/);
    expect(() =>
      loadSigningKeys({
        ...base,
        JWT_PUBLIC_KEYS_FILE: write('junk.json', JSON.stringify({ k2: 'junk' })),
      }),
    ).toThrow(/JWT_PUBLIC_KEYS_FILE: k2:/);
  });

  it('issues tokens the kit verifier accepts, with every required claim', async () => {
    const keys = loadSigningKeys({
      NODE_ENV: 'test',
      JWT_PRIVATE_KEY: pem(rsa.privateKey, 'pkcs8'),
      JWT_KEY_ID: 'k1',
    });
    const issued = createTokenIssuer({
      key: keys.active,
      issuer: 'movies-auth',
      audience: 'movies',
      ttlSeconds: 900,
    }).issue('user-7');
    expect(issued).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const header = JSON.parse(
      Buffer.from(issued.accessToken.split('.')[0]!, 'base64url').toString(),
    );
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    const claims = await createKeySetVerifier({
      keys: keys.verificationKeys,
      issuer: 'movies-auth',
      audience: 'movies',
    }).verify(issued.accessToken);
    expect(claims).toMatchObject({ sub: 'user-7', iss: 'movies-auth', aud: 'movies' });
    expect(claims.exp - claims.iat!).toBe(900);
  });
});
