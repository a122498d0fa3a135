import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB } from './ferretdb';
import { toolPath } from './paths';
import { startProcess } from './processes';

jest.setTimeout(60_000);

describe('FerretDB server from the toolchain', () => {
  it('accepts the official driver, stores and returns a document, and stops cleanly', async () => {
    const server = await startFerretDB();
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      const movies = client
        .db('smoke')
        .collection<{ _id: string; title: string; year: number }>('movies');
      await movies.insertOne({ _id: 'tt0133093', title: 'The Matrix', year: 1999 });
      expect(await movies.findOne({ _id: 'tt0133093' })).toEqual({
        _id: 'tt0133093',
        title: 'The Matrix',
        year: 1999,
      });
      await expect(movies.insertOne({ _id: 'tt0133093', title: 'dup', year: 1 })).rejects.toThrow(
        /duplicate key/i,
      );
    } finally {
      await client.close();
      await server.stop();
    }
    expect(await server.process.exited).toBe(0);
    expect(fs.existsSync(server.dataDir)).toBe(false);
  });

  it('keeps data in a given folder across a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-keep-'));
    try {
      const first = await startFerretDB({ dataDir });
      const writer = new MongoClient(first.uri);
      await writer
        .db('keep')
        .collection('ratings')
        .insertOne({ user: 'u1', movie: 'm1', rating: 4 });
      await writer.close();
      await first.stop();

      const second = await startFerretDB({ dataDir });
      const reader = new MongoClient(second.uri);
      const found = await reader
        .db('keep')
        .collection('ratings')
        .findOne({ user: 'u1' }, { projection: { _id: 0 } });
      await reader.close();
      await second.stop();
      expect(found).toEqual({ user: 'u1', movie: 'm1', rating: 4 });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a non-loopback listen address unless told otherwise, and names the flag', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-bad-'));
    try {
      const child = await startProcess(toolPath('ferretdb'), [
        '--listen-addr',
        '0.0.0.0:0',
        '--data-dir',
        dataDir,
      ]);
      expect(await child.exited).toBe(1);
      expect(child.output()).toMatch(/only loopback addresses are allowed/);
      // The database image listens on the pod's address with this flag (scripts/images tests it).
      expect(child.output()).toMatch(/pass --allow-non-loopback/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
