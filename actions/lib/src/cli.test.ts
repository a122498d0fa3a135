import { CliError, runCli } from './cli';

const node = process.execPath;

describe('runCli', () => {
  it('captures stdout and stderr and passes stdin', async () => {
    const result = await runCli(
      node,
      ['-e', 'process.stdin.pipe(process.stdout); console.error("to stderr")'],
      {
        input: 'hello from stdin',
        silent: true,
      },
    );
    expect(result).toEqual({ exitCode: 0, stdout: 'hello from stdin', stderr: 'to stderr\n' });
  });

  it('accepts the exit codes listed as ok', async () => {
    const result = await runCli(node, ['-e', 'process.exit(2)'], {
      okExitCodes: [0, 2],
      silent: true,
    });
    expect(result.exitCode).toBe(2);
  });

  it('throws CliError with the command, exit code and the tail of stderr', async () => {
    const script = 'for (let i = 1; i <= 30; i++) console.error("line " + i); process.exit(3)';
    const error = await runCli(node, ['-e', script], { silent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const cliError = error as CliError;
    expect(cliError.exitCode).toBe(3);
    expect(cliError.stderrTail.split('\n')).toEqual(
      Array.from({ length: 20 }, (_, i) => `line ${i + 11}`),
    );
    expect(cliError.message).toContain('exited with code 3');
    expect(cliError.message).toContain('line 30');
    expect(cliError.message).not.toContain('line 10\n');
  });

  it('passes cwd and merges env over the current environment', async () => {
    const result = await runCli(
      node,
      [
        '-e',
        'console.log(process.cwd() + "|" + process.env.EXTRA + "|" + Boolean(process.env.PATH))',
      ],
      {
        cwd: '/tmp',
        env: { EXTRA: 'yes' },
        silent: true,
      },
    );
    expect(result.stdout.trim()).toBe('/tmp|yes|true');
  });

  it('throws CliError naming a command that cannot start', async () => {
    await expect(
      runCli('definitely-not-a-command-xyz', ['--version'], { silent: true }),
    ).rejects.toThrow(/could not start definitely-not-a-command-xyz/);
  });
});
