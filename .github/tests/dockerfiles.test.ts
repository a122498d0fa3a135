import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import {
  filesUnder,
  isIncluded,
  parseDockerfile,
  parseDockerignore,
  type Stage,
} from './dockerfile-model';

const PORTS: Record<string, string> = {
  web: '8080',
  auth: '8081',
  recommendation: '8082',
  data: '8083',
};
const SERVICES = Object.keys(PORTS);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { listWorkspaces } = require(path.join(repoRoot, 'scripts', 'workspaces.cjs')) as {
  listWorkspaces(): Array<{ dir: string; pkg: { scripts?: Record<string, string> } }>;
};

beforeAll(() => {
  // The images copy the repository's own build output: build the services (incremental, so a
  // no-op after `npm test` built everything) and web's UI bundle.
  const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-b', ...SERVICES.map((s) => `services/${s}`)], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  for (const service of SERVICES) {
    const script = listWorkspaces().find((ws) => ws.dir === `services/${service}`)?.pkg.scripts?.[
      'build:assets'
    ];
    if (script)
      execFileSync('npm', ['run', '--silent', 'build:assets'], {
        cwd: path.join(repoRoot, 'services', service),
        stdio: 'pipe',
      });
  }
}, 240_000);

const lastUser = (stage: Stage): string | undefined =>
  stage.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args[0];

describe.each(SERVICES)('services/%s/Dockerfile', (service) => {
  const dockerfile = `services/${service}/Dockerfile`;
  const stages = parseDockerfile(fs.readFileSync(path.join(repoRoot, dockerfile), 'utf8'));
  const ignoreFile = `${dockerfile}.dockerignore`;
  const rules = parseDockerignore(fs.readFileSync(path.join(repoRoot, ignoreFile), 'utf8'));
  const final = stages.at(-1)!;
  const copies = stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
      .map((i) => ({ stage, i })),
  );

  it('is multi-stage: a node build stage, then a runtime stage without a shell', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.base).toMatch(/^node:(20|22|24)-slim$/);
    expect(final.base).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+(:nonroot)?$/);
  });

  it('copies only context files that exist after the build and that its Dockerfile.dockerignore sends', () => {
    const contextCopies = copies.filter(({ i }) => !i.flags.from);
    expect(contextCopies.length).toBeGreaterThan(5);
    for (const { i } of contextCopies) {
      for (const source of i.args.slice(0, -1)) {
        const files = filesUnder(repoRoot, source);
        expect({ source, exists: files.length > 0 }).toEqual({ source, exists: true });
        const sent = files.filter((file) => isIncluded(file, rules));
        expect({ source, sent: sent.length > 0 }).toEqual({ source, sent: true });
      }
    }
  });

  it('copies from earlier stages only', () => {
    const names = stages.map((s) => s.name);
    for (const { stage, i } of copies.filter(({ i }) => i.flags.from)) {
      const index = names.indexOf(i.flags.from!);
      expect({ from: i.flags.from, defined: index >= 0 && index < stages.indexOf(stage) }).toEqual({
        from: i.flags.from,
        defined: true,
      });
    }
  });

  it('gets every workspace manifest into the dependency stage (npm ci checks the whole workspace tree)', () => {
    const depsSources = stages[0]!.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.slice(0, -1));
    const copied = new Set(
      depsSources
        .flatMap((source) => filesUnder(repoRoot, source))
        .filter((file) => isIncluded(file, rules)),
    );
    for (const ws of listWorkspaces()) expect(copied).toContain(`${ws.dir}/package.json`);
    expect(copied).toContain('package-lock.json');
    const install = stages[0]!.instructions.find((i) => i.keyword === 'RUN')!.args[0]!;
    expect(install).toMatch(/npm ci --omit=dev/);
    expect(install).toContain(`--workspace services/${service}`);
    expect(install).toContain('--workspace services/kit');
  });

  it('sends the build output but no sources, tests or secrets', () => {
    expect(isIncluded(`services/${service}/build/index.js`, rules)).toBe(true);
    expect(isIncluded('services/kit/build/index.js', rules)).toBe(true);
    for (const file of [
      `services/${service}/src/index.ts`,
      '.env',
      'node_modules/express/package.json',
      '.git/config',
      'environments/prod/release.yaml',
      `services/${service}/build/index.js.map`,
    ]) {
      expect({ file, sent: isIncluded(file, rules) }).toEqual({ file, sent: false });
    }
    const other = SERVICES.find((s) => s !== service)!;
    expect(isIncluded(`services/${other}/build/index.js`, rules)).toBe(false);
  });

  it('runs as UID 10001 with NODE_ENV=production, exposes its port and starts build/index.js', () => {
    expect(lastUser(final)).toBe('10001');
    const env = final.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args);
    expect(env).toEqual(expect.arrayContaining(['NODE_ENV=production', `PORT=${PORTS[service]}`]));
    expect(final.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toEqual([PORTS[service]]);
    const workdir = final.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args[0];
    expect(workdir).toBe(`/app/services/${service}`);
    expect(final.instructions.find((i) => i.keyword === 'CMD')?.args).toEqual(['build/index.js']);
    expect(fs.existsSync(path.join(repoRoot, 'services', service, 'build', 'index.js'))).toBe(true);
  });

  if (service === 'web') {
    it('includes the UI bundle', () => {
      const ui = filesUnder(repoRoot, 'services/web/build/public').filter((file) =>
        isIncluded(file, rules),
      );
      expect(ui.some((file) => file.endsWith('.html'))).toBe(true);
      expect(ui.some((file) => file.endsWith('.js'))).toBe(true);
    });
  }
});

describe('the Dockerfile reader', () => {
  it('applies ignore rules in order with re-includes under excluded parents', () => {
    const rules = parseDockerignore(
      '**\n!services/*/package.json\n!services/kit/build/**\n**/*.map\n',
    );
    expect(isIncluded('services/kit/build/a/b.js', rules)).toBe(true);
    expect(isIncluded('services/kit/build/a/b.js.map', rules)).toBe(false);
    expect(isIncluded('services/auth/package.json', rules)).toBe(true);
    expect(isIncluded('services/auth/src/a.ts', rules)).toBe(false);
  });

  it('reads continued lines, flags and stage names', () => {
    const stages = parseDockerfile(
      'FROM node:24-slim AS deps\nRUN a \\\n  # note\n  && b\nFROM scratch\nCOPY --from=deps --chown=1:1 /x /y\nUSER 10001\n',
    );
    expect(stages.map((s) => s.name)).toEqual(['deps', null]);
    expect(stages[0]!.instructions[0]!.args[0]).toBe('a    && b');
    expect(stages[1]!.instructions[0]).toMatchObject({
      keyword: 'COPY',
      flags: { from: 'deps', chown: '1:1' },
      args: ['/x', '/y'],
    });
    expect(lastUser(stages[1]!)).toBe('10001');
  });
});
