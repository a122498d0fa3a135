import { startProcess } from './processes';

describe('startProcess', () => {
  it('waits for the ready line and reports the exit code after stop', async () => {
    const child = await startProcess(
      process.execPath,
      [
        '-e',
        "console.log('ready now'); process.on('SIGTERM', () => process.exit(3)); setInterval(() => {}, 1000);",
      ],
      { readyPattern: /ready now/ },
    );
    expect(child.output()).toContain('ready now');
    expect(await child.stop()).toBe(3);
  });

  it('fails with the output when the process exits before it is ready', async () => {
    await expect(
      startProcess(
        process.execPath,
        ['-e', "console.error('boom: missing PORT'); process.exit(2)"],
        {
          readyPattern: /never/,
        },
      ),
    ).rejects.toThrow(/exited \(2\) before it was ready:\s+boom: missing PORT/);
  });

  it('fails after the timeout and kills the process', async () => {
    await expect(
      startProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        readyPattern: /never/,
        timeoutMs: 300,
      }),
    ).rejects.toThrow(/was not ready after 300 ms/);
  });
});
