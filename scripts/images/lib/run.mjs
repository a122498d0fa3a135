// Runs an external command (buildah, mmdebstrap, npm, tar) and fails with an error that names
// the command and ends with the last lines of its output, so a failed build says why.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const TAIL_LINES = 40;

export class CommandError extends Error {
  constructor(printable, code, tail) {
    super(`\`${printable}\` exited ${code}${tail ? `:\n${tail}` : ''}`);
    this.name = 'CommandError';
    this.code = code;
  }
}

/**
 * Resolves to the command's stdout (stderr is kept only for the error). `log` appends both
 * streams to a file as they come, for long builds whose output is worth keeping.
 */
export function run(command, args, { cwd, env, log, input } = {}) {
  const printable = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const logStream = log ? fs.createWriteStream(log, { flags: 'a' }) : null;
    logStream?.write(`$ ${printable}\n`);
    let stdout = '';
    let tail = '';
    const keepTail = (chunk) => {
      tail += chunk;
      if (tail.length > 64_000) tail = tail.slice(-32_000);
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      keepTail(chunk);
      logStream?.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      keepTail(chunk);
      logStream?.write(chunk);
    });
    if (input !== undefined) child.stdin.end(input);
    child.on('error', (error) => {
      logStream?.end();
      reject(new CommandError(printable, error.code ?? 'spawn-error', error.message));
    });
    child.on('close', (code, signal) => {
      logStream?.end();
      if (code === 0) resolve(stdout);
      else {
        const last = tail.trim().split('\n').slice(-TAIL_LINES).join('\n');
        reject(new CommandError(printable, code ?? signal, last));
      }
    });
  });
}
