import { hashPassword, needsRehash, parsePasswordHash, verifyPassword } from './passwords';

const N = 1024;

describe('passwords', () => {
  it('hashes with a random salt and stores the parameters', async () => {
    const first = await hashPassword('correct horse', N);
    const second = await hashPassword('correct horse', N);
    expect(first).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct horse', N);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies hashes made with another cost (parameters come from the record)', async () => {
    const stored = await hashPassword('pässwörd-ü', 2048);
    expect(await verifyPassword('pässwörd-ü', stored)).toBe(true);
    expect(needsRehash(stored, 4096)).toBe(true);
    expect(needsRehash(stored, 2048)).toBe(false);
  });

  it('treats composed and decomposed Unicode the same', async () => {
    const stored = await hashPassword('caf\u00e9-password', N);
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it.each([
    'plain',
    'scrypt$N=1000,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'scrypt$N=4194304,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'scrypt$N=1024,r=8,p=1$AA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  ])('never matches a malformed or hostile record: %s', async (stored) => {
    expect(parsePasswordHash(stored)).toBeUndefined();
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});
