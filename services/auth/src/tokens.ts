import jwt from 'jsonwebtoken';
import type { ActiveSigningKey } from './keys';

export interface TokenIssuerOptions {
  key: ActiveSigningKey;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Signs access tokens: kid in the header; iss, aud, sub (user id), iat, exp in the claims. */
export function createTokenIssuer(options: TokenIssuerOptions) {
  return {
    issue(userId: string): IssuedToken {
      const accessToken = jwt.sign({}, options.key.privateKey, {
        algorithm: options.key.alg,
        keyid: options.key.kid,
        issuer: options.issuer,
        audience: options.audience,
        subject: userId,
        expiresIn: options.ttlSeconds,
      });
      return { accessToken, tokenType: 'Bearer', expiresIn: options.ttlSeconds };
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
