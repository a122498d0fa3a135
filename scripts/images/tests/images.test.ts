// Builds the five images for real (npm run images: buildah, the Dockerfiles, the local base
// images), then checks what the cluster will get: the archives and images.json, each image's
// config and files, and the images running together under runc with a read-only root
// filesystem inside a network namespace made here, answering on loopback.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateTestSigningKey, repoRoot, type StartedProcess } from '@movies/testing';
import { contextFiles } from '../lib/dockerignore.cjs';
import { listRootfs, openArchive, unpackRootfs, type FileEntry, type OciImage } from './oci-image';
import {
  NetworkNamespace,
  Runc,
  freshRunDir,
  type ClientResponse,
  type ContainerSpec,
} from './runc';

jest.setTimeout(180_000);

const PORTS = { web: 8080, auth: 8081, recommendation: 8082, data: 8083 } as const;
type Service = keyof typeof PORTS;
const SERVICES = Object.keys(PORTS) as Service[];
const NAMES = [...SERVICES, 'ferretdb'];
const SERVICE_UID = 10001;

interface Entry {
  repository: string;
  tag: string;
  digest: string;
  archive: string;
}
interface Unpacked {
  image: OciImage;
  rootfs: string;
  files: FileEntry[];
}

const dataDir = path.join(repoRoot, '.data', 'images');
const NETNS_PREFIX = 'movies-images-';
// Under the build's own .data folder, per run; runs killed before their afterAll are cleaned up.
const work = freshRunDir(path.join(dataDir, 'test-runs'), NETNS_PREFIX);
let manifest: Record<string, Entry>;
const unpacked: Record<string, Unpacked> = {};

function buildImages(args: string[]) {
  const result = spawnSync(process.execPath, ['scripts/images/build.mjs', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function buildOrFail(args: string[]) {
  const result = buildImages(args);
  if (result.status !== 0) {
    throw new Error(`build.mjs ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

function unpack(label: string, archive: string): Unpacked {
  const image = openArchive(archive, path.join(work, 'layouts', label));
  const rootfs = path.join(work, 'rootfs', label);
  unpackRootfs(image, rootfs);
  return { image, rootfs, files: listRootfs(rootfs) };
}

beforeAll(() => {
  // One build for the whole suite; a warm store makes it a matter of seconds.
  buildOrFail([]);
  manifest = readJson(path.join(dataDir, 'images.json'));
  for (const name of NAMES) unpacked[name] = unpack(name, manifest[name]!.archive);
}, 40 * 60_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('npm run images', () => {
  it('writes images.json with repository, digest tag, manifest digest and archive for all five', () => {
    expect(Object.keys(manifest).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      const entry = manifest[name]!;
      expect(entry.repository).toBe(`movies/${name}`);
      expect(entry.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(entry.tag).toBe(entry.digest.slice(7, 19));
      expect(path.isAbsolute(entry.archive)).toBe(true);
      const { image } = unpacked[name]!;
      expect(image.manifestDigest).toBe(entry.digest);
      expect(image.index.manifests[0]!.annotations).toEqual({
        'io.containerd.image.name': `docker.io/movies/${name}:${entry.tag}`,
        'org.opencontainers.image.ref.name': entry.tag,
      });
    }
  });

  it('gives the same tag for the same inputs', () => {
    buildOrFail(['--only', 'auth,ferretdb']);
    const again = readJson<Record<string, Entry>>(path.join(dataDir, 'images.json'));
    expect(again).toEqual(manifest);
  });

  it('rejects bad options, naming what is wrong', () => {
    const unknownImage = buildImages(['--only', 'auth,nosuch']);
    expect(unknownImage.status).toBe(1);
    expect(unknownImage.stderr).toContain('unknown image(s) nosuch');
    const badLabel = buildImages(['--variant', 'Not A Label']);
    expect(badLabel.status).toBe(1);
    expect(badLabel.stderr).toContain('--variant "Not A Label"');
    const unknownFlag = buildImages(['--fast']);
    expect(unknownFlag.status).toBe(1);
    expect(unknownFlag.stderr).toContain('unknown option --fast');
  });

  it('imports into containerd under the digests images.json states (ctr images ls)', () => {
    const result = buildOrFail(['--verify-import']);
    const listed = Object.fromEntries(
      [...result.stdout.matchAll(/containerd lists (\S+) (\S+)/g)].map((m) => [m[1], m[2]]),
    );
    expect(listed).toEqual(
      Object.fromEntries(
        NAMES.map((name) => [
          `docker.io/movies/${name}:${manifest[name]!.tag}`,
          manifest[name]!.digest,
        ]),
      ),
    );
  }, 600_000);
});

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'busybox']);
const PACKAGE_MANAGERS = new Set(['apt', 'apt-get', 'dpkg', 'dpkg-deb', 'apk', 'rpm', 'yum']);
const isSharedObject = (file: string) => /\.so(\.\d+)*$/.test(file);

function executables(files: FileEntry[], outside: string) {
  return files
    .filter((f) => f.type === 'file' && f.mode & 0o111 && !f.path.startsWith(outside))
    .map((f) => f.path)
    .filter((file) => !isSharedObject(file))
    .sort();
}

function expectNoShellOrPackageManager(files: FileEntry[]) {
  const names = files.filter((f) => f.type !== 'dir').map((f) => path.posix.basename(f.path));
  expect(names.filter((name) => SHELLS.has(name) || PACKAGE_MANAGERS.has(name))).toEqual([]);
  for (const dir of ['/bin', '/sbin', '/usr/bin', '/usr/sbin']) {
    expect({ dir, entries: files.filter((f) => f.path.startsWith(`${dir}/`)).length }).toEqual({
      dir,
      entries: 0,
    });
  }
}

function expectDistrolessBase(files: FileEntry[], rootfs: string) {
  const bundle = fs.readFileSync(path.join(rootfs, 'etc/ssl/certs/ca-certificates.crt'), 'utf8');
  expect(bundle.match(/BEGIN CERTIFICATE/g)!.length).toBeGreaterThan(100);
  expect(fs.existsSync(path.join(rootfs, 'usr/share/zoneinfo/Europe/Paris'))).toBe(true);
  expect(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).toMatch(
    /^nonroot:x:65532:65532:/m,
  );
  expect(files.find((f) => f.path === '/tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
  expect(fs.readFileSync(path.join(rootfs, 'etc/os-release'), 'utf8')).toMatch(
    /VERSION_CODENAME=bookworm/,
  );
}

describe.each(SERVICES)('the %s image', (service) => {
  const env = () => unpacked[service]!.image.config.config.Env ?? [];

  it('runs node on the built service as UID 10001, production mode, its port exposed', () => {
    const { config } = unpacked[service]!.image.config;
    expect(config.User).toBe(String(SERVICE_UID));
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node']);
    expect(config.Cmd).toEqual(['build/index.js']);
    expect(config.WorkingDir).toBe(`/app/services/${service}`);
    expect(env()).toEqual(
      expect.arrayContaining(['NODE_ENV=production', `PORT=${PORTS[service]}`]),
    );
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual([`${PORTS[service]}/tcp`]);
    const { files } = unpacked[service]!;
    expect(
      files.find((f) => f.path === '/app/services/' + service + '/build/index.js'),
    ).toBeTruthy();
  });

  it('holds no shell and no package manager; node is its only program', () => {
    const { files } = unpacked[service]!;
    expectNoShellOrPackageManager(files);
    expect(executables(files, '/app/')).toEqual(['/nodejs/bin/node']);
  });

  it('provides what the distroless base does: CA bundle, time zones, the nonroot user, /tmp', () => {
    expectDistrolessBase(unpacked[service]!.files, unpacked[service]!.rootfs);
  });

  it('holds exactly the files its Dockerfile.dockerignore lets in, plus production dependencies', () => {
    const { files } = unpacked[service]!;
    const ignore = fs.readFileSync(
      path.join(repoRoot, 'services', service, 'Dockerfile.dockerignore'),
      'utf8',
    );
    const copied = new RegExp(`^services/(kit|${service})/(package\\.json$|build/)`);
    const expected = contextFiles(repoRoot, ignore)
      .filter((file) => copied.test(file))
      .map((file) => `/app/${file}`);
    const app = files.filter((f) => f.type === 'file' && f.path.startsWith('/app/'));
    const own = app
      .map((f) => f.path)
      .filter((file) => file.startsWith('/app/services/') && !file.includes('/node_modules/'))
      .sort();
    expect(own).toEqual(expected);
    expect(expected.length).toBeGreaterThan(5);
    // No build info, source maps, sources or tests of ours (dependencies ship what they ship).
    const junk = /\.tsbuildinfo$|\.map$|\.test\.|\/(src|e2e|__fixtures__)\/|(?<!\.d)\.ts$/;
    for (const file of own) expect({ file, junk: junk.test(file) }).toEqual({ file, junk: false });
    const topLevel = fs.readdirSync(path.join(unpacked[service]!.rootfs, 'app')).sort();
    expect(topLevel).toEqual(['node_modules', 'services']);
    const modules = fs.readdirSync(path.join(unpacked[service]!.rootfs, 'app', 'node_modules'));
    expect(modules).toContain('express');
    for (const dev of ['jest', 'typescript', 'ts-jest', 'eslint', 'supertest', 'esbuild']) {
      expect({ dev, shipped: modules.includes(dev) }).toEqual({ dev, shipped: false });
    }
  });
});

describe('the ferretdb image', () => {
  it('runs the toolchain binary as UID 10001 on 0.0.0.0:27017 with its data on /data/db', () => {
    const { config } = unpacked.ferretdb!.image.config;
    expect(config.User).toBe(`${SERVICE_UID}:${SERVICE_UID}`);
    expect(config.Entrypoint).toEqual(['/ferretdb/bin/ferretdb']);
    expect(config.Cmd).toEqual(
      expect.arrayContaining([
        '--listen-addr=0.0.0.0:27017',
        '--allow-non-loopback',
        '--data-dir=/data/db',
      ]),
    );
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['27017/tcp']);
    const binary = fs.readFileSync(path.join(unpacked.ferretdb!.rootfs, 'ferretdb/bin/ferretdb'));
    expect(binary.equals(fs.readFileSync(path.join(repoRoot, '.tools/bin/ferretdb')))).toBe(true);
  });

  it('holds no shell, no package manager and no program but ferretdb', () => {
    const { files, rootfs } = unpacked.ferretdb!;
    expectNoShellOrPackageManager(files);
    expect(executables(files, '/nonexistent/')).toEqual(['/ferretdb/bin/ferretdb']);
    expectDistrolessBase(files, rootfs);
  });
});

describe('the images running with a read-only root filesystem in a network namespace', () => {
  const runc = new Runc(path.join(work, 'runc'));
  let netns: NetworkNamespace;
  const running: Array<{ id: string; process: StartedProcess }> = [];
  const signingKey = generateTestSigningKey();
  const url = (port: number, pathname: string) => `http://127.0.0.1:${port}${pathname}`;
  const spec = (name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
    id: `images-test-${process.pid}-${name}`,
    rootfs: unpacked[name]!.rootfs,
    config: unpacked[name]!.image.config.config,
    netns,
    uid: SERVICE_UID,
    gid: SERVICE_UID,
    ...extra,
  });
  const serviceEnv: Record<Service, Record<string, string>> = {
    auth: {
      MONGODB_URI: 'mongodb://127.0.0.1:27017/',
      JWT_PRIVATE_KEY: signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_KEY_ID: signingKey.kid,
      // The fastest cost auth accepts: the test registers users, it does not measure scrypt.
      PASSWORD_SCRYPT_N: '1024',
    },
    data: { MONGODB_URI: 'mongodb://127.0.0.1:27017/', AUTH_URL: url(PORTS.auth, '') },
    recommendation: { AUTH_URL: url(PORTS.auth, ''), DATA_URL: url(PORTS.data, '') },
    web: {
      AUTH_URL: url(PORTS.auth, ''),
      DATA_URL: url(PORTS.data, ''),
      RECOMMENDATION_URL: url(PORTS.recommendation, ''),
    },
  };

  beforeAll(async () => {
    netns = new NetworkNamespace(`${NETNS_PREFIX}${process.pid}`);
    const db = path.join(work, 'ferretdb-data');
    fs.mkdirSync(db);
    fs.chownSync(db, SERVICE_UID, SERVICE_UID);
    const ferret = spec('ferretdb', { volumes: { '/data/db': db } });
    running.push({ id: ferret.id, process: await runc.start(ferret, /ferretdb ready/) });
    for (const service of ['auth', 'data', 'recommendation', 'web'] as const) {
      const container = spec(service, { env: { ...serviceEnv[service], SHUTDOWN_DRAIN_MS: '0' } });
      running.push({
        id: container.id,
        process: await runc.start(container, new RegExp(`${service} listening`)),
      });
    }
  }, 180_000);

  afterAll(async () => {
    for (const { id, process: started } of running.reverse()) await runc.stop(id, started);
    netns?.delete();
  });

  const output = () => running.map(({ id, process: p }) => `--- ${id}\n${p.output()}`).join('\n');

  it.each(SERVICES)('%s answers /healthz and becomes ready on loopback', (service) => {
    expect(netns.request({ url: url(PORTS[service], '/healthz') })).toMatchObject({ status: 200 });
    const ready = netns.request({ url: url(PORTS[service], '/readyz'), untilOkMs: 60_000 });
    if (ready.status !== 200)
      throw new Error(`${service} not ready: ${JSON.stringify(ready)}\n${output()}`);
    expect(ready.body).toMatchObject({ status: 'ready' });
  });

  it('serves the journey through web: register, log in, rate, recommendations, users isolated', () => {
    const csrf = { 'x-movies-csrf': '1' };
    const web = (
      pathname: string,
      init: Partial<Parameters<NetworkNamespace['request']>[0]> = {},
    ) => netns.request({ url: url(PORTS.web, pathname), ...init });
    const login = (username: string) => {
      const password = `pw-${username}-long-enough`;
      const registered = web('/api/auth/register', {
        method: 'POST',
        headers: csrf,
        body: { username, password },
      });
      expect(registered.status).toBe(201);
      const loggedIn = web('/api/auth/login', {
        method: 'POST',
        headers: csrf,
        body: { username, password },
      });
      expect(loggedIn.status).toBe(200);
      const cookie = loggedIn.headers['set-cookie']!.split(';')[0]!;
      return { ...csrf, cookie };
    };
    const movies = web('/api/movies?limit=3') as ClientResponse & {
      body: { movies: Array<{ id: string }> };
    };
    expect(movies.status).toBe(200);
    const movieId = movies.body.movies[0]!.id;

    const alice = login('alice-images');
    expect(
      web(`/api/ratings/${movieId}`, { method: 'PUT', headers: alice, body: { rating: 5 } }).status,
    ).toBe(201);
    expect(web('/api/ratings/me', { headers: alice }).body).toMatchObject({
      ratings: [{ movieId, rating: 5 }],
    });
    const recommendations = web('/api/recommendations?limit=5', { headers: alice });
    expect(recommendations.status).toBe(200);

    const bob = login('bob-images');
    expect(web('/api/ratings/me', { headers: bob }).body).toEqual({ ratings: [] });
    expect(web('/api/ratings/me').status).toBe(401);
  });

  it('cannot write its root filesystem and has no shell to run', async () => {
    const write = await runc.runToEnd(
      spec('auth', {
        id: `images-test-${process.pid}-write`,
        args: [
          '/nodejs/bin/node',
          '-e',
          "for (const f of ['/app/x', '/etc/x', '/tmp/x']) { try { require('fs').writeFileSync(f, ''); console.log(f, 'written'); } catch (e) { console.log(f, e.code); } }",
        ],
      }),
    );
    expect(write.output).toContain('/app/x EROFS');
    expect(write.output).toContain('/etc/x EROFS');
    expect(write.output).toContain('/tmp/x written');
    const shell = await runc.runToEnd(
      spec('web', { id: `images-test-${process.pid}-shell`, args: ['/bin/sh', '-c', 'true'] }),
    );
    expect(shell.code).not.toBe(0);
    expect(shell.output).toMatch(/no such file or directory/i);
  });

  it('ferretdb refuses to start without a writable /data/db and says where', async () => {
    // A fresh copy: runc made the /data/db mount point in the one the stack runs from.
    const { rootfs } = unpack('ferretdb-no-volume', manifest.ferretdb!.archive);
    const result = await runc.runToEnd({
      ...spec('ferretdb'),
      id: `images-test-${process.pid}-nodb`,
      rootfs,
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/--data-dir "\/data\/db".*read-only file system/);

    // A volume the pod's user cannot write (root's, 0755) is named at start, not at first write.
    const rootOwned = path.join(work, 'ferretdb-root-owned');
    fs.mkdirSync(rootOwned, { mode: 0o755 });
    const foreign = await runc.runToEnd(
      spec('ferretdb', {
        id: `images-test-${process.pid}-foreign`,
        volumes: { '/data/db': rootOwned },
      }),
    );
    expect(foreign.code).toBe(1);
    expect(foreign.output).toMatch(/--data-dir "\/data\/db" is not writable: .*permission denied/);
  });

  it('--variant builds another digest of the same layers whose /version reports the label', () => {
    const label = 'images-test';
    buildOrFail(['--variant', label, '--only', 'web']);
    const variant = readJson<Record<string, Record<string, Entry & { neverReady: boolean }>>>(
      path.join(dataDir, 'variants.json'),
    ).web![label]!;
    expect(variant.digest).not.toBe(manifest.web!.digest);
    expect(readJson(path.join(dataDir, 'images.json'))).toEqual(manifest);
    const image = openArchive(variant.archive, path.join(work, 'layouts', 'web-variant'));
    expect(image.manifest.layers).toEqual(unpacked.web!.image.manifest.layers);
    expect(image.config.config.Env).toContain(`GIT_SHA=${label}`);
  });

  it('the variant serves the same app and reports its label', async () => {
    const label = 'images-test';
    const variant = readJson<Record<string, Record<string, Entry>>>(
      path.join(dataDir, 'variants.json'),
    ).web![label]!;
    const { image, rootfs } = unpack('web-variant-run', variant.archive);
    const port = 8090;
    const container: ContainerSpec = {
      ...spec('web', { env: { ...serviceEnv.web, PORT: String(port) } }),
      id: `images-test-${process.pid}-variant`,
      rootfs,
      config: image.config.config,
    };
    const started = await runc.start(container, /web listening/);
    try {
      expect(netns.request({ url: url(port, '/version') }).body).toMatchObject({
        service: 'web',
        gitSha: label,
      });
      expect(netns.request({ url: url(port, '/readyz'), untilOkMs: 30_000 }).status).toBe(200);
    } finally {
      await runc.stop(container.id, started);
    }
  });

  it('--never-ready builds an image whose process exits at start, so it never answers a probe', async () => {
    buildOrFail(['--never-ready', '--only', 'auth']);
    const variant = readJson<Record<string, Record<string, Entry & { neverReady: boolean }>>>(
      path.join(dataDir, 'variants.json'),
    ).auth!['never-ready']!;
    expect(variant.neverReady).toBe(true);
    expect(variant.digest).not.toBe(manifest.auth!.digest);
    const { image, rootfs } = unpack('auth-never-ready', variant.archive);
    const result = await runc.runToEnd({
      ...spec('auth', { env: { ...serviceEnv.auth, PORT: '8091' } }),
      id: `images-test-${process.pid}-never-ready`,
      rootfs,
      config: image.config.config,
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Cannot find module/);
    expect(netns.request({ url: url(8091, '/healthz') }).status).toBe(0);
  });
});
