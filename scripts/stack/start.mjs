#!/usr/bin/env node
// `npm start` / `npm run start:mongo`: the whole app on this machine.
//
//   node scripts/stack/start.mjs [--mongo] [--data-dir DIR] [--log-dir DIR] [--no-build]
//                                [--web-port N] [--auth-port N] [--data-port N] [--recommendation-port N]
//
// Installs dependencies and builds when needed, starts auth, data, recommendation and web
// (embedded in-memory stores unless MONGODB_URI is set or --mongo starts the FerretDB server
// from the toolchain with its data in --data-dir, default .data/ferretdb), registers a demo
// account and prints the URL. --no-build refuses to run a build older than its sources
// instead of building (tests use it: `npm test` has just built everything). Ctrl-C or SIGTERM stops everything. If a service dies, its name
// and last log lines are printed, the others are stopped and the exit code is 1.
//
// When started with an IPC channel (a test harness), it also reports {type:'ready', ...} and
// obeys {type:'stop'|'start', service} so a test can take one service down and bring it back.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { prepare, staleBuilds } from './prepare.mjs';
import { DEFAULT_PORTS, SERVICES, ServiceFailure, Stack, seedDemoAccount } from './stack.mjs';

const USAGE = `usage: node scripts/stack/start.mjs [options]   (npm start, npm run start:mongo)
  --mongo                 start FerretDB from the toolchain and point auth and data at it
                          (MONGODB_URI, when set, is used instead)
  --data-dir DIR          FerretDB data (default .data/ferretdb; survives restarts)
  --log-dir DIR           service logs (default .data/logs)
  --no-build              fail instead of building when a build is older than its sources
  --web-port N            default 8080 (also --auth-port 8081, --recommendation-port 8082,
                          --data-port 8083)`;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function parsePort(value, flag) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${flag} must be a port number, got "${value}"`);
  return port;
}

function options() {
  const { values } = parseArgs({
    options: {
      mongo: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: path.join(repoRoot, '.data', 'ferretdb') },
      'log-dir': { type: 'string', default: path.join(repoRoot, '.data', 'logs') },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(SERVICES.map((name) => [`${name}-port`, { type: 'string' }])),
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const ports = { ...DEFAULT_PORTS };
  for (const name of SERVICES) {
    const flag = `${name}-port`;
    if (values[flag] !== undefined) ports[name] = parsePort(values[flag], `--${flag}`);
  }
  return {
    mongo: values.mongo,
    dataDir: path.resolve(values['data-dir']),
    logDir: path.resolve(values['log-dir']),
    build: !values['no-build'],
    ports,
  };
}

/** Starts FerretDB (MongoDB wire protocol, SQLite files in dataDir) and resolves with its URI. */
function startFerretDB(dataDir) {
  const binary = path.join(repoRoot, '.tools', 'bin', 'ferretdb');
  if (!fs.existsSync(binary))
    throw new Error(`FerretDB is not installed at ${binary}: run \`npm run tools\``);
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawn(binary, ['--listen-addr', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const uri = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`FerretDB was not ready after 30 s:\n${output}`)),
      30_000,
    );
    const collect = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
      const match = /ferretdb ready uri=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`FerretDB exited (${code}):\n${output}`));
    });
  });
  return {
    uri,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In-memory stores start empty, so a fresh password each time; a kept database keeps its password. */
function demoPassword(dataDir, persistent) {
  if (!persistent) return crypto.randomBytes(9).toString('base64url');
  // Kept with the database it belongs to (FerretDB only reads its *.sqlite files there).
  const file = path.join(dataDir, 'demo-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(9).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** A path as the user would type it from the repository root. */
function shown(target) {
  const relative = path.relative(repoRoot, target);
  return relative === '' || relative.startsWith('..') ? target : relative;
}

function printTail(name, lines) {
  console.error(`stack: last log lines of ${name}:`);
  for (const line of lines) console.error(`  ${name} | ${line}`);
}

async function main() {
  const opts = options();
  if (opts.build) {
    prepare(repoRoot, SERVICES);
  } else {
    const stale = staleBuilds(repoRoot, SERVICES);
    if (stale.length > 0) {
      throw new Error(
        `--no-build, but ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} not built from the current sources: run \`node scripts/build.mjs\``,
      );
    }
  }

  let ferret = null;
  let mongoUri = process.env.MONGODB_URI || undefined;
  if (opts.mongo && !mongoUri) {
    console.log(`stack: starting FerretDB (data in ${shown(opts.dataDir)})`);
    ferret = startFerretDB(opts.dataDir);
    mongoUri = await ferret.uri;
  }

  const stack = new Stack({ repoRoot, ports: opts.ports, mongoUri, logDir: opts.logDir });
  let shuttingDown = null;
  const shutdown = (exitCode, reason) => {
    if (shuttingDown) return shuttingDown;
    console.log(`stack: ${reason}: stopping all services…`);
    shuttingDown = (async () => {
      await stack.stop();
      if (ferret) await ferret.stop();
      console.log('stack: stopped');
      process.exit(exitCode);
    })();
    return shuttingDown;
  };
  process.on('SIGINT', () => shutdown(0, 'interrupted'));
  process.on('SIGTERM', () => shutdown(0, 'terminated'));
  process.on('disconnect', () => shutdown(0, 'controller went away'));
  // `npm start` runs us under `sh -c`; a SIGTERM sent to npm alone does not reach us, but the
  // parent's exit does re-parent us: stop then rather than leave four services running.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) void shutdown(0, 'parent process exited');
  }, 500).unref();
  stack.onServiceDied = (name, code, tail) => {
    console.error(`stack: ${name} exited unexpectedly (${code})`);
    printTail(name, tail);
    void shutdown(1, `${name} died`);
  };
  ferret?.exited.then((code) => {
    if (shuttingDown) return;
    console.error(`stack: FerretDB exited unexpectedly (${code})`);
    printTail('ferretdb', ferret.output().trim().split('\n').slice(-30));
    void shutdown(1, 'FerretDB died');
  });

  console.log(
    `stack: starting ${SERVICES.join(', ')} (${mongoUri ? `MongoDB at ${mongoUri}` : 'in-memory stores'})`,
  );
  try {
    await stack.start();
  } catch (error) {
    if (error instanceof ServiceFailure) {
      console.error(`stack: ${error.message}`);
      printTail(error.service, error.tail);
    } else {
      console.error(`stack: ${error.message}`);
    }
    await shutdown(1, 'start failed');
    return;
  }

  let demo = { username: 'demo', password: demoPassword(opts.dataDir, Boolean(mongoUri)) };
  try {
    await seedDemoAccount(`http://127.0.0.1:${opts.ports.auth}`, demo);
  } catch (error) {
    // E.g. a database of your own (MONGODB_URI) with a "demo" user of another password.
    console.error(`stack: no demo account: ${error.message}`);
    demo = null;
  }

  console.log('');
  console.log(`  Movies is running at ${stack.url}`);
  if (demo) console.log(`  Demo account: ${demo.username} / ${demo.password}`);
  console.log(`  Logs: ${shown(opts.logDir)}/<service>.log`);
  console.log('  Press Ctrl-C to stop.');
  console.log('');

  if (process.send) {
    process.on('message', (message) => void control(stack, message));
    process.send({
      type: 'ready',
      url: stack.url,
      ports: opts.ports,
      pids: stack.pids(),
      demo,
      mongoUri: mongoUri ?? null,
    });
  }
}

async function control(stack, message) {
  const { type, service } = message ?? {};
  try {
    if (type === 'stop') {
      await stack.stopService(service);
      process.send({ type: 'stopped', service });
    } else if (type === 'start') {
      await stack.startService(service);
      process.send({ type: 'started', service, pids: stack.pids() });
    } else {
      process.send({
        type: 'error',
        message: `unknown control message ${JSON.stringify(message)}`,
      });
    }
  } catch (error) {
    const tail =
      error instanceof ServiceFailure
        ? `\nlast log lines of ${error.service}:\n${error.tail.join('\n')}`
        : '';
    process.send({ type: 'error', service, message: `${error.message}${tail}` });
  }
}

main().catch((error) => {
  console.error(`stack: ${error.message}`);
  process.exit(1);
});
