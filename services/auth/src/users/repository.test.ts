import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { loadConfig, mongoClientOptions } from '@movies/kit';
import { freePort, startFerretDB, type FerretDBServer } from '@movies/testing';
import { authConfigShape } from '../config';
import { InMemoryUserRepository } from './memory';
import { MongoUserRepository } from './mongo';
import { StoreUnavailableError, UsernameTakenError, type UserRepository } from './repository';

jest.setTimeout(60_000);

/** One contract, run against every implementation. */
function userRepositoryContract(name: string, open: () => Promise<UserRepository>) {
  describe(`UserRepository contract: ${name}`, () => {
    let users: UserRepository;
    beforeEach(async () => {
      users = await open();
    });
    afterEach(async () => {
      await users.close();
    });

    it('creates a user with an id and creation time and finds it by username and id', async () => {
      const before = Date.now();
      const created = await users.create({ username: 'ana', passwordHash: 'hash-1' });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await users.findByUsername('ana')).toEqual(created);
      expect(await users.findById(created.id)).toEqual(created);
    });

    it('refuses a second user with the same username', async () => {
      await users.create({ username: 'bob', passwordHash: 'h' });
      await expect(users.create({ username: 'bob', passwordHash: 'other' })).rejects.toBeInstanceOf(
        UsernameTakenError,
      );
      expect((await users.findByUsername('bob'))?.passwordHash).toBe('h');
    });

    it('keeps exactly one user when two registrations race', async () => {
      const results = await Promise.allSettled([
        users.create({ username: 'race', passwordHash: 'a' }),
        users.create({ username: 'race', passwordHash: 'b' }),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find(
        (result) => result.status === 'rejected',
      ) as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(UsernameTakenError);
    });

    it('returns undefined for unknown users and never interprets input as a query', async () => {
      await users.create({ username: 'carol', passwordHash: 'h' });
      expect(await users.findByUsername('nobody')).toBeUndefined();
      expect(await users.findById(randomUUID())).toBeUndefined();
      expect(await users.findByUsername({ $ne: 'x' } as unknown as string)).toBeUndefined();
    });

    it('updates a password hash', async () => {
      const created = await users.create({ username: 'dave', passwordHash: 'old' });
      await users.updatePasswordHash(created.id, 'new');
      expect((await users.findById(created.id))?.passwordHash).toBe('new');
    });

    it('is ready', async () => {
      await expect(users.ping()).resolves.toBeUndefined();
    });
  });
}

userRepositoryContract('in-memory', async () => new InMemoryUserRepository());

let ferret: FerretDBServer;
beforeAll(async () => {
  ferret = await startFerretDB();
});
afterAll(async () => {
  await ferret?.stop();
});

userRepositoryContract('MongoDB (FerretDB)', async () =>
  MongoUserRepository.create(ferret.uri, `auth_${randomUUID().slice(0, 8)}`),
);

// DocumentDB's settings: TLS only, verified against the CA bundle file, no retryable writes.
let ferretTls: FerretDBServer;
beforeAll(async () => {
  ferretTls = await startFerretDB({ tls: true });
});
afterAll(async () => {
  await ferretTls?.stop();
});

userRepositoryContract('MongoDB over TLS with the DocumentDB client options', async () => {
  const config = loadConfig(authConfigShape, { MONGODB_TLS_CA_FILE: ferretTls.caFile! });
  return MongoUserRepository.create(
    ferretTls.uri.replace(/\?.*$/, ''),
    `auth_${randomUUID().slice(0, 8)}`,
    mongoClientOptions(config, 'movies-auth'),
  );
});

describe('MongoUserRepository specifics', () => {
  it('creates the unique username index idempotently', async () => {
    const dbName = `auth_${randomUUID().slice(0, 8)}`;
    const first = MongoUserRepository.create(ferret.uri, dbName);
    await first.ping();
    await first.close();
    const second = MongoUserRepository.create(ferret.uri, dbName);
    await second.ping();
    await second.close();
    const client = new MongoClient(ferret.uri);
    const indexes = await client.db(dbName).collection('users').indexes();
    await client.close();
    expect(indexes.find((index) => index.name === 'username_unique')).toMatchObject({
      key: { username: 1 },
      unique: true,
    });
  });

  it('reports an unreachable server as StoreUnavailableError', async () => {
    const port = await freePort();
    const users = MongoUserRepository.create(`mongodb://127.0.0.1:${port}/`, 'x', {
      serverSelectionTimeoutMS: 300,
    });
    await expect(users.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(users.findByUsername('a')).rejects.toBeInstanceOf(StoreUnavailableError);
    await users.close();
  });
});
