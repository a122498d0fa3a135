import { randomUUID } from 'node:crypto';
import { startFerretDB, type FerretDBServer } from '@movies/testing';
import request from 'supertest';
import { buildTestAuth } from './__fixtures__/test-support';
import { MongoUserRepository } from './users/mongo';

jest.setTimeout(60_000);

let ferret: FerretDBServer;
beforeAll(async () => {
  ferret = await startFerretDB();
});
afterAll(async () => {
  await ferret?.stop();
});

describe('auth on MongoDB (FerretDB)', () => {
  it('registers, refuses a duplicate, logs in, answers /me, and is ready', async () => {
    const users = MongoUserRepository.create(ferret.uri, `auth_${randomUUID().slice(0, 8)}`);
    const { app } = buildTestAuth({ users });
    try {
      await request(app).get('/readyz').expect(200);
      const created = await request(app)
        .post('/register')
        .send({ username: 'mongo.user', password: 'mongo-password' })
        .expect(201);
      await request(app)
        .post('/register')
        .send({ username: 'mongo.user', password: 'other-password' })
        .expect(409);
      const token = (
        await request(app)
          .post('/login')
          .send({ username: 'mongo.user', password: 'mongo-password' })
          .expect(200)
      ).body.accessToken;
      const me = await request(app).get('/me').set('authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toMatchObject({ id: created.body.id, username: 'mongo.user' });
      await request(app)
        .post('/login')
        .send({ username: 'mongo.user', password: 'wrong-password' })
        .expect(401);
    } finally {
      await users.close();
    }
  });

  it('turns not ready (503) when the database goes away, while /healthz stays 200', async () => {
    const own = await startFerretDB();
    const users = MongoUserRepository.create(own.uri, 'gone', { serverSelectionTimeoutMS: 500 });
    const { app } = buildTestAuth({ users });
    try {
      await request(app).get('/readyz').expect(200);
      await own.stop();
      const ready = await request(app).get('/readyz').expect(503);
      expect(Object.keys(ready.body.reasons)).toEqual(['users']);
      await request(app).get('/healthz').expect(200);
      expect(
        (await request(app).post('/login').send({ username: 'a', password: 'b' }).expect(503)).body
          .error.code,
      ).toBe('store_unavailable');
    } finally {
      await users.close();
    }
  });
});
