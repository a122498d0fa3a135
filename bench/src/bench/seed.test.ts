import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
// data's own function, read from its source: the bench must write the ids data reads.
import { ratingKey } from '../../../services/data/src/storage/types';
import { ratingDocument, ratingDocumentId, TokenMinter } from './seed';

describe('ratingDocument', () => {
  it('uses the same _id as data’s repository', () => {
    expect(ratingDocumentId('bench-user-00001', 'heat-1995')).toBe(
      ratingKey('bench-user-00001', 'heat-1995'),
    );
  });
  it('has exactly the fields data stores', () => {
    const at = new Date(0);
    expect(ratingDocument({ userId: 'u', movieId: 'm-2000', rating: 4 }, at)).toEqual({
      _id: ratingKey('u', 'm-2000'),
      userId: 'u',
      movieId: 'm-2000',
      rating: 4,
      deleted: false,
      updatedAt: at,
    });
  });
});

describe('TokenMinter', () => {
  it('mints RS256 tokens a standard verifier accepts, one per user', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-minter-'));
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const keyFile = path.join(dir, 'key.pem');
      fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const minter = new TokenMinter(keyFile, 'bench-kid');
      const token = minter.token('bench-user-00007');
      expect(minter.token('bench-user-00007')).toBe(token);
      const decoded = jwt.verify(token, createPublicKey(privateKey), {
        algorithms: ['RS256'],
        issuer: 'movies-auth',
        audience: 'movies',
        complete: true,
      });
      expect(decoded.header.kid).toBe('bench-kid');
      expect((decoded.payload as jwt.JwtPayload).sub).toBe('bench-user-00007');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
