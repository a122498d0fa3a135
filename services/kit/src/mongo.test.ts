import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { loadConfig } from './config';
import { mongoClientOptions, mongoConnectionShape } from './mongo';

jest.setTimeout(60_000);

const configOf = (env: Record<string, string>) =>
  loadConfig(mongoConnectionShape, { PORT: '8080', ...env });

// FerretDB with TLS only stands in for DocumentDB with tls=enabled: its CA file plays the part of
// global-bundle.pem, and a plain connection is refused.
describe('MongoDB client options DocumentDB accepts, against FerretDB with TLS on', () => {
  let ferret: FerretDBServer;
  // The server's address without its own tls hint: the options alone must turn TLS on.
  let address: string;
  beforeAll(async () => {
    ferret = await startFerretDB({ tls: true });
    address = ferret.uri.replace(/\/\?.*$/, '/');
  });
  afterAll(() => ferret?.stop());

  it('connects and writes with TLS verified against the CA bundle and retryable writes off', async () => {
    const options = mongoClientOptions(
      configOf({ MONGODB_TLS_CA_FILE: ferret.caFile! }),
      'movies-test',
    );
    expect(options).toMatchObject({ tls: true, tlsCAFile: ferret.caFile, retryWrites: false });
    // A connection string asking for retryable writes (what a copied example would say).
    const client = new MongoClient(`${address}?retryWrites=true`, options);
    try {
      await client.connect();
      expect(client.options.retryWrites).toBe(false);
      expect(client.options.tls).toBe(true);
      const ratings = client.db('movies').collection('ratings');
      await ratings.insertOne({ userId: 'u1', movieId: 42, rating: 4 });
      await ratings.updateOne({ userId: 'u1', movieId: 42 }, { $set: { rating: 5 } });
      expect(await ratings.findOne({ userId: 'u1' }, { projection: { _id: 0 } })).toEqual({
        userId: 'u1',
        movieId: 42,
        rating: 5,
      });
    } finally {
      await client.close();
    }
  });

  it('a client without the CA bundle is refused (the server certificate is not trusted)', async () => {
    const client = new MongoClient(address, {
      ...mongoClientOptions(configOf({}), 'movies-test', 2000),
      tls: true,
    });
    try {
      await expect(client.connect()).rejects.toThrow(/certificate|self[- ]signed|TLS|SSL/i);
    } finally {
      await client.close();
    }
  });

  it('a plain connection gets nowhere (TLS is enforced)', async () => {
    const client = new MongoClient(address, mongoClientOptions(configOf({}), 'movies-test', 2000));
    try {
      await expect(client.connect()).rejects.toThrow();
    } finally {
      await client.close();
    }
  });

  it('names the variable when the bundle is missing or not PEM', () => {
    expect(() =>
      mongoClientOptions(configOf({ MONGODB_TLS_CA_FILE: '/nonexistent/global-bundle.pem' }), 'x'),
    ).toThrow(/MONGODB_TLS_CA_FILE: cannot read \/nonexistent\/global-bundle.pem \(ENOENT\)/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-'));
    try {
      fs.writeFileSync(path.join(dir, 'bundle.pem'), 'not a certificate');
      expect(() =>
        mongoClientOptions(configOf({ MONGODB_TLS_CA_FILE: path.join(dir, 'bundle.pem') }), 'x'),
      ).toThrow(/MONGODB_TLS_CA_FILE: .*bundle.pem holds no PEM certificate/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => configOf({ MONGODB_RETRY_WRITES: 'yes' })).toThrow(
      /MONGODB_RETRY_WRITES: must be true or false/,
    );
  });
});
