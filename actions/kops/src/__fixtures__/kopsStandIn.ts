import fs from 'node:fs';
import path from 'node:path';
import { readRecordedCalls } from '@movies/actions-lib/testing';

export interface KopsCall {
  argv: string[];
  kubeconfigEnv?: string;
  stateEnv?: string;
}

/**
 * Writes a recording stand-in for `kops` into `dir` (passed as kops-path). It appends every call
 * to `<dir>/calls.jsonl` and keeps "the state store" in `<dir>/state.yaml`: `create`/`replace -f`
 * store the file, `get cluster`/`get instancegroups -o yaml` print the stored objects (or fail
 * with kops' not-found message), `create secret encryptionconfig` stores the key once (then fails
 * as kops does: the secret already exists), everything else answers as a successful kops run.
 */
export function writeKopsStandIn(dir: string): {
  path: string;
  calls(): KopsCall[];
  storeState(yaml: string): void;
  /** The EncryptionConfiguration kops stored, or null. */
  encryptionConfig(): string | null;
} {
  const log = path.join(dir, 'calls.jsonl');
  const state = path.join(dir, 'state.yaml');
  const script = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv, kubeconfigEnv: process.env.KUBECONFIG, stateEnv: process.env.KOPS_STATE_STORE }) + '\\n');
const docs = () => fs.existsSync(${JSON.stringify(state)}) ? fs.readFileSync(${JSON.stringify(state)}, 'utf8').split(/^---$/m) : [];
const name = argv[argv.indexOf('--name') + 1];
if (argv[0] === 'get') {
  const stored = docs();
  if (stored.length === 0) { process.stderr.write('Error: cluster not found "' + name + '"\\n'); process.exit(1); }
  if (argv[1] === 'cluster') { process.stdout.write(stored.find((d) => /kind: Cluster/.test(d)).trim() + '\\n'); process.exit(0); }
  const groups = stored.filter((d) => /kind: InstanceGroup/.test(d)).map((d) => d.trim());
  if (argv.includes('json')) { process.stdout.write(JSON.stringify(groups.map((d) => ({ metadata: { name: /\\n  name: (.*)/.exec(d)[1] } })))); process.exit(0); }
  process.stdout.write(groups.join('\\n---\\n') + '\\n');
  process.exit(0);
}
if (argv[0] === 'create' && argv[1] === 'secret') {
  const secret = ${JSON.stringify(path.join(dir, 'encryptionconfig.yaml'))};
  if (fs.existsSync(secret)) { process.stderr.write('Error: the encryptionconfig secret already exists\\n'); process.exit(1); }
  fs.copyFileSync(argv[argv.indexOf('-f') + 1], secret);
  process.exit(0);
}
if (argv[0] === 'create' || argv[0] === 'replace') {
  fs.copyFileSync(argv[argv.indexOf('-f') + 1], ${JSON.stringify(state)});
  process.stdout.write('stored\\n');
  process.exit(0);
}
if (argv[0] === 'export') { fs.writeFileSync(argv[argv.indexOf('--kubeconfig') + 1], 'apiVersion: v1\\nkind: Config\\n'); }
process.stdout.write('kops ' + argv[0] + ' ok\\n');
`;
  const file = path.join(dir, 'kops');
  fs.writeFileSync(file, script, { mode: 0o755 });
  return {
    path: file,
    calls: () => readRecordedCalls<KopsCall>(log),
    storeState: (yaml) => fs.writeFileSync(state, yaml),
    encryptionConfig: () => {
      const secret = path.join(dir, 'encryptionconfig.yaml');
      return fs.existsSync(secret) ? fs.readFileSync(secret, 'utf8') : null;
    },
  };
}
