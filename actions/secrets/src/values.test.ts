import { newDatabaseUsers, newJwtRing, parseDatabaseUsers, parseJwtRing, rotate } from './values';

describe('stored values', () => {
  it('a rotation keeps the last current key as previous and makes a fresh next', () => {
    const ring = newJwtRing();
    const now = new Date('2026-06-01T12:00:00Z');
    const rotated = rotate(ring, now, 3_600_000);
    expect(rotated).toEqual({
      previous: ring.current,
      current: ring.next,
      next: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/),
      rotatedAt: '2026-06-01T12:00:00.000Z',
    });
    expect(rotated.next).not.toBe(ring.next);
    expect(() => rotate(rotated, new Date('2026-06-01T12:30:00Z'), 3_600_000)).toThrow(
      /rotated 1800 s ago .* wait at least 3600 s/,
    );
    expect(rotate(rotated, new Date('2026-06-01T13:00:01Z'), 3_600_000).previous).toBe(ring.next);
  });

  it('parses what bootstrap wrote and names what is wrong with a hand-edited value', () => {
    const ring = newJwtRing();
    expect(parseJwtRing('movies/dev/jwt', JSON.stringify(ring))).toEqual(ring);
    expect(() => parseJwtRing('movies/dev/jwt', '{"current": "x"}')).toThrow(
      'movies/dev/jwt: current must be a PKCS#8 PEM private key',
    );
    expect(() => parseJwtRing('movies/dev/jwt', 'not json')).toThrow(
      'movies/dev/jwt: the stored value is not JSON',
    );
    const users = newDatabaseUsers();
    expect(parseDatabaseUsers('movies/prod/mongodb-users', JSON.stringify(users))).toEqual(users);
    expect(() =>
      parseDatabaseUsers(
        'movies/prod/mongodb-users',
        JSON.stringify({ ...users, data: { username: 'movies_data', password: 'p@ss word' } }),
      ),
    ).toThrow(
      'movies/prod/mongodb-users: data.password must be at least 16 URL-safe characters (A-Z a-z 0-9 _ -)',
    );
  });
});
