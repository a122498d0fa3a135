import fs from 'node:fs';
import path from 'node:path';
import { readRecordedCalls } from '@movies/actions-lib/testing';

export interface RecordedCall {
  tool: 'helm' | 'kubectl';
  argv: string[];
}

/**
 * Writes recording stand-ins for `helm` and `kubectl` into `dir` (put it first on PATH). Each
 * appends `{tool, argv}` as a JSON line to `<dir>/calls.jsonl` and answers like the real tool:
 * `helm template` runs the real helm (`realHelm`), `get manifest` says the release is not
 * found, `status -o json` reports revision 4, `kubectl get services` lists a LoadBalancer with
 * `loadBalancerHost`. `failUpgrade` makes `helm upgrade` fail the way --atomic does.
 */
export function writeStandIns(
  dir: string,
  options: { realHelm: string; loadBalancerHost?: string; failUpgrade?: boolean },
): { calls(): RecordedCall[] } {
  const log = path.join(dir, 'calls.jsonl');
  const script = (tool: 'helm' | 'kubectl') => `#!/usr/bin/env node
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, argv }) + '\\n');
const say = (text, code = 0) => { process.stdout.write(text + '\\n'); process.exit(code); };
const fail = (text, code = 1) => { process.stderr.write(text + '\\n'); process.exit(code); };
if (${JSON.stringify(tool)} === 'kubectl') {
  if (argv[0] === 'get' && argv[1] === 'services') {
    say(JSON.stringify({ items: [
      { metadata: { name: 'movies-auth' }, spec: { type: 'ClusterIP' }, status: { loadBalancer: {} } },
      { metadata: { name: 'movies-web-public' }, spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: ${JSON.stringify(options.loadBalancerHost ? [{ hostname: options.loadBalancerHost }] : [])} } } },
    ] }));
  }
  fail('kubectl stand-in: unexpected ' + argv.join(' '));
}
switch (argv[0]) {
  case 'lint':
  case 'template': {
    const real = spawnSync(${JSON.stringify(options.realHelm)}, argv, { stdio: 'inherit' });
    process.exit(real.status ?? 1);
  }
  case 'get': fail('Error: release: not found');
  case 'upgrade':
    if (${options.failUpgrade ? 'true' : 'false'}) fail('Error: UPGRADE FAILED: release movies failed, and has been rolled back due to atomic being set: context deadline exceeded');
    say('Release "movies" has been upgraded. Happy Helming!\\nNAME: movies\\nSTATUS: deployed\\nREVISION: 4');
  case 'status': say(JSON.stringify({ name: 'movies', namespace: 'movies', version: 4, info: { status: 'deployed' } }));
  case 'rollback': say('Rollback was a success! Happy Helming!');
  case 'uninstall': say('release "movies" uninstalled');
  case 'test': say('NAME: movies\\nPhase: Succeeded\\nPOD LOGS: movies-test-login\\nlogin round trip ok');
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
