import fs from 'node:fs';
import path from 'node:path';
import { readRecordedCalls } from '@movies/actions-lib/testing';

export interface RecordedCall {
  tool: 'helm' | 'kubectl';
  argv: string[];
  /** What the tool read on stdin (kubectl apply -f -). */
  stdin: string;
}

export interface StandInOptions {
  realHelm: string;
  loadBalancerHost?: string;
  /** `helm upgrade` fails the way --atomic does (rolled back by helm itself). */
  failUpgrade?: boolean;
  /** `helm test` fails (the login round trip inside the cluster did not pass). */
  failTest?: boolean;
  /** The deployed revision before the test (0: not installed). Default 3. */
  revision?: number;
  /** `helm get manifest` prints this (default: the release is not found). */
  deployedManifest?: string;
}

/**
 * Writes recording stand-ins for `helm` and `kubectl` into `dir` (put it first on PATH). Each
 * appends `{tool, argv, stdin}` as a JSON line to `<dir>/calls.jsonl` and answers like the real
 * tool, keeping the release's revision in `<dir>/revision`: `helm template`/`lint` run the real
 * helm, `upgrade` and `rollback` add a revision, `status -o json` reports it (not found at 0),
 * `uninstall` sets it to 0, `get manifest` prints `deployedManifest`, `kubectl get services` lists
 * a LoadBalancer with `loadBalancerHost`, `kubectl apply -f -` accepts what it reads.
 */
export function writeStandIns(dir: string, options: StandInOptions): { calls(): RecordedCall[] } {
  const log = path.join(dir, 'calls.jsonl');
  const revisionFile = path.join(dir, 'revision');
  fs.writeFileSync(revisionFile, String(options.revision ?? 3));
  const manifestFile = path.join(dir, 'deployed-manifest.yaml');
  if (options.deployedManifest !== undefined)
    fs.writeFileSync(manifestFile, options.deployedManifest);
  const script = (tool: 'helm' | 'kubectl') => `#!/usr/bin/env node
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const argv = process.argv.slice(2);
const stdin = argv.includes('-') ? fs.readFileSync(0, 'utf8') : '';
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, argv, stdin }) + '\\n');
const say = (text, code = 0) => { process.stdout.write(text + '\\n'); process.exit(code); };
const fail = (text, code = 1) => { process.stderr.write(text + '\\n'); process.exit(code); };
const revisionFile = ${JSON.stringify(revisionFile)};
const revision = () => Number(fs.readFileSync(revisionFile, 'utf8'));
const setRevision = (n) => fs.writeFileSync(revisionFile, String(n));
if (${JSON.stringify(tool)} === 'kubectl') {
  if (argv[0] === 'get' && argv[1] === 'services') {
    say(JSON.stringify({ items: [
      { metadata: { name: 'movies-auth' }, spec: { type: 'ClusterIP' }, status: { loadBalancer: {} } },
      { metadata: { name: 'movies-web-public' }, spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: ${JSON.stringify(options.loadBalancerHost ? [{ hostname: options.loadBalancerHost }] : [])} } } },
    ] }));
  }
  if (argv[0] === 'apply' && argv.includes('-f') && stdin.includes('kind: Namespace')) say('namespace/movies serverside-applied');
  fail('kubectl stand-in: unexpected ' + argv.join(' '));
}
switch (argv[0]) {
  case 'lint':
  case 'template': {
    const real = spawnSync(${JSON.stringify(options.realHelm)}, argv, { stdio: 'inherit' });
    process.exit(real.status ?? 1);
  }
  case 'get':
    if (fs.existsSync(${JSON.stringify(manifestFile)}) && revision() > 0) say(fs.readFileSync(${JSON.stringify(manifestFile)}, 'utf8'));
    fail('Error: release: not found');
  case 'upgrade':
    if (${options.failUpgrade ? 'true' : 'false'}) fail('Error: UPGRADE FAILED: release movies failed, and has been rolled back due to atomic being set: context deadline exceeded');
    setRevision(revision() + 1);
    say('Release "movies" has been upgraded. Happy Helming!\\nNAME: movies\\nSTATUS: deployed\\nREVISION: ' + revision());
  case 'status':
    if (revision() === 0) fail('Error: release: not found');
    say(JSON.stringify({ name: 'movies', namespace: 'movies', version: revision(), info: { status: 'deployed' } }));
  case 'rollback': setRevision(revision() + 1); say('Rollback was a success! Happy Helming!');
  case 'uninstall':
    if (revision() === 0) fail('Error: uninstall: Release not loaded: movies: release: not found');
    setRevision(0); say('release "movies" uninstalled');
  case 'test':
    if (${options.failTest ? 'true' : 'false'}) fail('NAME: movies\\nPhase: Failed\\nPOD LOGS: movies-test-login\\nlogin round trip: 502 from web\\nError: 1 error occurred:\\n\\t* pod movies-test-login failed');
    say('NAME: movies\\nPhase: Succeeded\\nPOD LOGS: movies-test-login\\nlogin round trip ok');
  default: fail('helm stand-in: unexpected ' + argv.join(' '));
}
`;
  for (const tool of ['helm', 'kubectl'] as const) {
    fs.writeFileSync(path.join(dir, tool), script(tool), { mode: 0o755 });
  }
  return {
    calls: () => readRecordedCalls<RecordedCall>(log),
  };
}
