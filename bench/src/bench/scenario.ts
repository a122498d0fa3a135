import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startFerretDB, type FerretDBServer } from '@movies/testing';
import type { Dataset, DatasetRating } from '../dataset';
import type { ServiceInstance, ServiceName, Topology } from '../topology';
import type { BenchOptions } from './args';
import { measure, rssMiB, startCeilingServer, type LoadSpec } from './measure';
import type { HotRead, Measurement, ModeResult, ServiceFootprint, SizePoint } from './results';
import { seedIntoMongo, seedThroughApi, type TokenMinter } from './seed';

export type Mode = 'embedded' | 'ferretdb';

export interface ModeContext {
  mode: Mode;
  topology: Topology;
  /** Mints tokens with the topology's signing key (kid = JWT_KEY_ID). */
  minter: TokenMinter;
  dataset: Dataset;
  catalogFile: string;
  options: BenchOptions;
  log: (line: string) => void;
}

const SCRYPT_N = 16_384;
const WEB_USERS = 8;
const LOAD_USERS = 500;
const HOT_MOVIES = 1000;
/** Seeding and model loads at 200k ratings on a busy 2-core machine take a while. */
const SLOW_READY_MS = 10 * 60_000;
/**
 * recommendation's timeout for calls to data on FerretDB: the first page of each feed read is a
 * collection scan and an in-Go sort there (13 s at 200k ratings, see services/data/README.md),
 * and past the 2 s default the first model load never completes.
 */
const FEED_TIMEOUT_MS = 60_000;

/** What is running right now, so an interrupted benchmark (Ctrl-C) leaves no process behind. */
const running = new Set<{ stop(): Promise<unknown> }>();

export async function stopEverything(): Promise<void> {
  await Promise.allSettled([...running].map((p) => p.stop()));
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** POST /register (201, or 409 when it exists) then POST /login on auth: the access token. */
async function registerAndLogin(
  authUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const registered = await postJson(`${authUrl}/register`, { username, password });
  if (registered.status !== 201 && registered.status !== 409) {
    throw new Error(
      `register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`,
    );
  }
  const login = await postJson(`${authUrl}/login`, { username, password });
  const token = (login.body as { accessToken?: unknown } | null)?.accessToken;
  if (login.status !== 200 || typeof token !== 'string') {
    throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return token;
}

/** Distinct users among the first `count` ratings: they have ratings at every size. */
function usersWithRatings(
  ratings: readonly DatasetRating[],
  count: number,
  limit: number,
): string[] {
  const users = new Set<string>();
  for (let i = 0; i < count && users.size < limit; i += 1)
    users.add((ratings[i] as DatasetRating).userId);
  return [...users];
}

const pidOf = (instance: ServiceInstance) => {
  const pid = instance.process.child.pid;
  if (pid === undefined) throw new Error(`${instance.name} has no pid`);
  return pid;
};

/** Starts the stack of one mode, seeds it size by size, measures everything, stops it. */
export async function runMode(ctx: ModeContext): Promise<ModeResult> {
  const { topology, minter, dataset, options, log } = ctx;
  const sizeList = ctx.mode === 'ferretdb' ? options.mongoSizes : options.sizes;
  const notes: string[] = [];
  const services = new Map<ServiceName, ServiceInstance>();
  const readyMs = new Map<ServiceName, number>();
  let ferret: FerretDBServer | undefined;
  const ceilings: Array<Awaited<ReturnType<typeof startCeilingServer>>> = [];

  const start = async (name: ServiceName, env: Record<string, string>) => {
    const nodeArgs = options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, `${ctx.mode}-${name}`)}`]
      : [];
    const t0 = performance.now();
    const instance = await topology.start(name, env, undefined, {
      readyTimeoutMs: SLOW_READY_MS,
      nodeArgs,
    });
    readyMs.set(name, performance.now() - t0);
    services.set(name, instance);
    running.add(instance);
    log(`${ctx.mode}: ${name} ready in ${readyMs.get(name)?.toFixed(0)} ms on ${instance.url}`);
    return instance;
  };
  const load = (spec: Omit<LoadSpec, 'connections' | 'durationSeconds' | 'warmupSeconds'>) =>
    measure({
      ...spec,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
    });
  const loadRss = new Map<string, number>();
  const allPids = () =>
    Object.fromEntries([...services].map(([name, instance]) => [name, pidOf(instance)]));
  const measureAll = async (
    spec: Omit<LoadSpec, 'connections' | 'durationSeconds' | 'warmupSeconds'>,
  ) => {
    const { measurement, rssPeakMiB } = await load({ ...spec, pids: allPids() });
    for (const [name, peak] of Object.entries(rssPeakMiB))
      loadRss.set(name, Math.max(loadRss.get(name) ?? 0, peak));
    log(
      `${ctx.mode}: ${spec.url}${spec.requests[0]?.path}: ${measurement.requestsPerSecond.toFixed(0)} req/s, ` +
        `p50 ${measurement.p50.toFixed(2)} ms, p99 ${measurement.p99.toFixed(2)} ms, ${measurement.errors} errors`,
    );
    return measurement;
  };
  /** The same call on one connection right after its loaded run (so already warm). */
  const measureUnloaded = async (
    spec: Omit<LoadSpec, 'connections' | 'durationSeconds' | 'warmupSeconds'>,
  ) => {
    const { measurement } = await measure({
      ...spec,
      connections: 1,
      durationSeconds: options.unloadedSeconds,
      warmupSeconds: 0,
    });
    log(
      `${ctx.mode}: ${spec.url}${spec.requests[0]?.path} on one connection: ` +
        `p50 ${measurement.p50.toFixed(2)} ms, p95 ${measurement.p95.toFixed(2)} ms, ${measurement.errors} errors`,
    );
    return measurement;
  };

  try {
    let mongoEnv: Record<string, string> = {};
    if (ctx.mode === 'ferretdb') {
      ferret = await startFerretDB();
      running.add(ferret);
      mongoEnv = { MONGODB_URI: ferret.uri, MONGODB_DB: 'bench' };
      notes.push(
        'data starts on an empty database, so its ready time includes seeding the 5000-movie catalog (a first start).',
      );
    } else {
      notes.push(
        'auth runs with ALLOW_IN_MEMORY_USERS=true: in production it refuses its in-memory user store without that explicit opt-in.',
      );
    }
    const production = { NODE_ENV: 'production' };
    const feedTimeout: Record<string, string> = {};
    if (ctx.mode === 'ferretdb') {
      feedTimeout.UPSTREAM_TIMEOUT_MS = String(FEED_TIMEOUT_MS);
      notes.push(
        `recommendation runs with UPSTREAM_TIMEOUT_MS=${FEED_TIMEOUT_MS} (default 2000): the first page of a change-feed read is a collection scan and sort on FerretDB, longer than 2 s at these sizes, and the first model load would never complete.`,
      );
    }
    const auth = await start('auth', {
      ...mongoEnv,
      ...production,
      ...(ctx.mode === 'embedded' ? { ALLOW_IN_MEMORY_USERS: 'true' } : {}),
      PASSWORD_SCRYPT_N: String(SCRYPT_N),
    });
    const data = await start('data', {
      ...mongoEnv,
      ...production,
      AUTH_URL: auth.url,
      CATALOG_FILE: ctx.catalogFile,
    });

    const sizes: SizePoint[] = [];
    const loadUsers = usersWithRatings(dataset.ratings, sizeList[0] as number, LOAD_USERS);
    const recRequests = (prefix: string, asCookie: boolean): LoadSpec['requests'] =>
      loadUsers.map((userId) => ({
        path: `${prefix}/recommendations`,
        headers: {
          [asCookie ? 'cookie' : 'authorization']: asCookie
            ? `movies_session=${minter.token(userId)}`
            : `Bearer ${minter.token(userId)}`,
        },
      }));
    let seeded = 0;
    let recommendation: ServiceInstance | undefined;
    for (const [index, size] of sizeList.entries()) {
      const batch = dataset.ratings.slice(seeded, size);
      const t0 = performance.now();
      if (ctx.mode === 'ferretdb')
        await seedIntoMongo(mongoEnv.MONGODB_URI as string, 'bench', batch);
      else await seedThroughApi(data.url, batch, minter);
      const seedMs = performance.now() - t0;
      seeded = size;
      log(`${ctx.mode}: seeded ${batch.length} ratings (total ${size}) in ${seedMs.toFixed(0)} ms`);
      recommendation = await start('recommendation', {
        ...production,
        AUTH_URL: auth.url,
        DATA_URL: data.url,
        ...feedTimeout,
      });
      const probe = await fetch(`${recommendation.url}/recommendations`, {
        headers: { authorization: `Bearer ${minter.token(loadUsers[0] as string)}` },
      });
      if (probe.status !== 200)
        throw new Error(`recommendation answered ${probe.status}: ${await probe.text()}`);
      const recSpec = { url: recommendation.url, requests: recRequests('', false) };
      const latency = await measureAll(recSpec);
      const unloaded = await measureUnloaded(recSpec);
      sizes.push({
        ratings: size,
        seedMs,
        modelLoadMs: readyMs.get('recommendation') as number,
        latency,
        unloaded,
      });
      if (index < sizeList.length - 1) {
        await recommendation.stop();
        services.delete('recommendation');
        running.delete(recommendation);
      }
    }
    if (!recommendation) throw new Error('no dataset size to measure');

    const web = await start('web', {
      ...production,
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      RECOMMENDATION_URL: recommendation.url,
    });

    // Idle: everything started and loaded, a moment without traffic.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRss = new Map(
      [...services].map(([name, instance]) => [name, rssMiB(pidOf(instance))]),
    );

    // Registered and logged in on auth itself (web would give up after its 5 s upstream timeout,
    // which a register on a busy FerretDB exceeded); web's session cookie holds the same token.
    const users = [];
    for (let i = 0; i < WEB_USERS; i += 1) {
      const username = `bench_${ctx.mode}_${i}`;
      const password = randomBytes(12).toString('hex');
      const t0 = performance.now();
      const token = await registerAndLogin(auth.url, username, password);
      log(
        `${ctx.mode}: registered and logged in ${username} on auth in ${(performance.now() - t0).toFixed(0)} ms`,
      );
      users.push({ username, password, cookie: `movies_session=${token}`, token });
    }

    const reference = async (kind: 'raw' | 'express') => {
      const server = await startCeilingServer(kind);
      ceilings.push(server);
      running.add(server.process);
      const measured = await measureAll({ url: server.url, requests: [{ path: '/movies/x' }] });
      await server.process.stop('SIGTERM', 5000);
      return measured;
    };
    const ceilingMeasurement = await reference('raw');
    const expressMeasurement = await reference('express');

    const movieIds = dataset.movies.slice(0, HOT_MOVIES).map((m) => m.id);
    const pairs: Array<{
      service: HotRead['service'];
      path: string;
      direct: LoadSpec['requests'];
      web: LoadSpec['requests'];
      url: string;
    }> = [
      {
        service: 'data',
        path: '/movies/:id',
        url: data.url,
        direct: movieIds.map((id) => ({ path: `/movies/${id}` })),
        web: movieIds.map((id) => ({ path: `/api/movies/${id}` })),
      },
      {
        service: 'data',
        path: '/movies?limit=20',
        url: data.url,
        direct: [{ path: '/movies?limit=20' }],
        web: [{ path: '/api/movies?limit=20' }],
      },
      {
        service: 'recommendation',
        path: '/recommendations',
        url: recommendation.url,
        direct: recRequests('', false),
        web: recRequests('/api', true),
      },
      {
        service: 'auth',
        path: '/me',
        url: auth.url,
        direct: users.map((u) => ({
          path: '/me',
          headers: { authorization: `Bearer ${u.token}` },
        })),
        web: users.map((u) => ({ path: '/api/auth/me', headers: { cookie: u.cookie } })),
      },
    ];
    const hotReads: HotRead[] = [];
    for (const pair of pairs) {
      const directSpec = { url: pair.url, requests: pair.direct };
      const webSpec = { url: web.url, requests: pair.web };
      const direct = await measureAll(directSpec);
      const directUnloaded = await measureUnloaded(directSpec);
      const viaWeb = await measureAll(webSpec);
      const webUnloaded = await measureUnloaded(webSpec);
      hotReads.push({
        service: pair.service,
        path: pair.path,
        webPath: `/api${pair.path === '/me' ? '/auth/me' : pair.path}`,
        direct,
        web: viaWeb,
        directUnloaded,
        webUnloaded,
      });
    }

    const login: Measurement = await measureAll({
      url: auth.url,
      requests: users.map((u) => ({
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      })),
    });

    const footprints: ServiceFootprint[] = (['auth', 'data', 'recommendation', 'web'] as const).map(
      (service) => ({
        service,
        readyMs: readyMs.get(service) as number,
        idleRssMiB: idleRss.get(service) as number,
        loadRssMiB: loadRss.get(service) as number,
      }),
    );
    notes.push(
      `recommendation's ready time is at ${sizeList[sizeList.length - 1]} ratings (its first full model load is part of it); readiness is polled every 50 ms.`,
    );
    return {
      mode: ctx.mode,
      seedPath:
        ctx.mode === 'ferretdb'
          ? "inserted directly with the mongodb driver in data's RatingDocument schema (insertMany, 5000 per batch)"
          : "PUT /ratings/:movieId through data's API with minted tokens (16 concurrent)",
      ceiling: ceilingMeasurement,
      expressCeiling: expressMeasurement,
      hotReads,
      sizes,
      footprints,
      login: { ...login, scryptN: SCRYPT_N },
      notes,
    };
  } finally {
    for (const server of ceilings) await server.process.stop('SIGTERM', 5000);
    for (const instance of [...services.values()].reverse()) await instance.stop();
    await ferret?.stop();
    running.clear();
  }
}
