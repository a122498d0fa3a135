import { ConfigError, mongoClientOptions, type Logger } from '@movies/kit';
import type { AuthConfig } from './app';
import { loadSigningKeys, type SigningKeys } from './keys';
import { InMemoryUserRepository } from './users/memory';
import { MongoUserRepository } from './users/mongo';
import type { UserRepository } from './users/repository';

/** The user store and keys from the configuration; loud warnings for the local-only modes. */
export function buildAuthDeps(
  config: AuthConfig,
  logger: Logger,
): { users: UserRepository; keys: SigningKeys } {
  if (!config.MONGODB_URI && config.NODE_ENV === 'production' && !config.ALLOW_IN_MEMORY_USERS) {
    throw new ConfigError([
      'MONGODB_URI: required when NODE_ENV=production (the in-memory store loses every user on restart; ALLOW_IN_MEMORY_USERS=true accepts that)',
    ]);
  }
  const keys = loadSigningKeys(config);
  if (keys.generated) {
    logger.warn(
      { kid: keys.active.kid },
      'NO JWT KEY CONFIGURED: generated a throwaway key pair; tokens die with this process (set JWT_PRIVATE_KEY_FILE)',
    );
  }
  let users: UserRepository;
  if (config.MONGODB_URI) {
    users = MongoUserRepository.create(
      config.MONGODB_URI,
      config.MONGODB_DB,
      mongoClientOptions(config, 'movies-auth'),
    );
    logger.info(
      { db: config.MONGODB_DB, tls: config.MONGODB_TLS_CA_FILE !== undefined },
      'user store: MongoDB',
    );
  } else {
    users = new InMemoryUserRepository();
    logger.warn(
      'IN-MEMORY USER STORE: MONGODB_URI is unset; users are lost on restart and not shared between replicas',
    );
  }
  return { users, keys };
}
