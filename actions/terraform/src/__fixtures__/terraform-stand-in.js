#!/usr/bin/env node
// A stand-in for the terraform binary in the action's tests (no providers or AWS here). Tests
// copy it into a temp dir as `terraform` on PATH. It appends {argv, cwd} to $TF_STAND_IN_LOG
// and answers like terraform: `plan -out=F` saves the plan document named by $TF_STAND_IN_PLAN
// into F and exits 0/2 (-detailed-exitcode), `show -json F` prints the saved document (`show F`
// a text rendering), `apply F` applies it, `output -json` prints $TF_STAND_IN_OUTPUTS.
// $TF_STAND_IN_LOCKED=<sub> makes that subcommand fail with terraform's state lock error.
// State locking as terraform does it: with $TF_STAND_IN_LOCK_FILE, plan and apply hold that
// file while they run ($TF_STAND_IN_HOLD_MS longer), and one that finds it held waits up to its
// -lock-timeout (none: fails at once) and then fails with the lock error.
'use strict';
const fs = require('node:fs');

const args = process.argv.slice(2);
const sub = args[0];
if (process.env.TF_STAND_IN_LOG) {
  fs.appendFileSync(
    process.env.TF_STAND_IN_LOG,
    `${JSON.stringify({ argv: args, cwd: process.cwd() })}\n`,
  );
}

function isChange(actions) {
  return !actions.every((a) => a === 'no-op' || a === 'read');
}

function lockError() {
  process.stderr.write(`
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412, RequestID:
7QWQ0ZP9K2Y2B1F8, HostID: k3Jx, api error PreconditionFailed: At least one of the pre-conditions
you specified did not hold
Lock Info:
  ID:        4f6a3b2c-9d8e-7f10-a1b2-c3d4e5f60718
  Path:      movies-tfstate-111111111111/environments/dev/terraform.tfstate
  Operation: OperationTypeApply
  Who:       runner@fv-az1234-567
  Version:   1.8.5
  Created:   2026-11-23 21:58:07.123456789 +0000 UTC
  Info:


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
`);
  process.exit(1);
}

if (process.env.TF_STAND_IN_LOCKED === sub) lockError();

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const lockFile = process.env.TF_STAND_IN_LOCK_FILE;
function withLock(work) {
  if (!lockFile) return work();
  const timeout = args.find((a) => a.startsWith('-lock-timeout='));
  const seconds = timeout ? Number(/^-lock-timeout=(\d+)s$/.exec(timeout)?.[1] ?? 'NaN') : 0;
  if (Number.isNaN(seconds)) {
    process.stderr.write(`stand-in: unsupported ${timeout}\n`);
    process.exit(1);
  }
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (Date.now() >= deadline) lockError();
      sleep(50);
    }
  }
  try {
    const result = work();
    sleep(Number(process.env.TF_STAND_IN_HOLD_MS ?? 0));
    return result;
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

switch (sub) {
  case 'init':
    if (!args.some((a) => a.startsWith('-backend-config='))) {
      process.stderr.write('Error: Missing backend configuration\n');
      process.exit(1);
    }
    process.stdout.write(
      'Initializing the backend...\n\nTerraform has been successfully initialized!\n',
    );
    break;
  case 'plan': {
    withLock(() => undefined);
    const out = args.find((a) => a.startsWith('-out='));
    const source = process.env.TF_STAND_IN_PLAN;
    if (!out || !source) {
      process.stderr.write('stand-in: plan needs -out= and TF_STAND_IN_PLAN\n');
      process.exit(1);
    }
    const plan = fs.readFileSync(source, 'utf8');
    fs.writeFileSync(out.slice('-out='.length), plan);
    const doc = JSON.parse(plan);
    const changed =
      (doc.resource_changes || []).some((r) => isChange(r.change.actions)) ||
      Object.values(doc.output_changes || {}).some((o) => isChange(o.actions));
    process.stdout.write(
      changed
        ? 'Terraform will perform the following actions: (stand-in)\n'
        : 'No changes. Your infrastructure matches the configuration.\n',
    );
    process.exit(changed && args.includes('-detailed-exitcode') ? 2 : 0);
    break;
  }
  case 'show': {
    const saved = fs.readFileSync(args[args.length - 1], 'utf8');
    if (args.includes('-json')) process.stdout.write(saved);
    else
      process.stdout.write(
        `Terraform will perform the following actions:\n${(JSON.parse(saved).resource_changes || [])
          .map((r) => `  # ${r.address} ${r.change.actions.join(',')}`)
          .join('\n')}\n`,
      );
    break;
  }
  case 'apply': {
    withLock(() => undefined);
    const planFile = args[args.length - 1];
    const doc = JSON.parse(fs.readFileSync(planFile, 'utf8'));
    let added = 0;
    let changed = 0;
    let destroyed = 0;
    for (const r of doc.resource_changes || []) {
      const a = r.change.actions;
      if (a.includes('create')) added++;
      if (a.includes('delete')) destroyed++;
      if (a.includes('update')) changed++;
    }
    process.stdout.write(
      `Apply complete! Resources: ${added} added, ${changed} changed, ${destroyed} destroyed.\n`,
    );
    break;
  }
  case 'output':
    process.stdout.write(fs.readFileSync(process.env.TF_STAND_IN_OUTPUTS, 'utf8'));
    break;
  default:
    process.stderr.write(`stand-in: unsupported subcommand ${sub}\n`);
    process.exit(1);
}
