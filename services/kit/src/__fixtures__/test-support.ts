import { Writable } from 'node:stream';
import { loadConfig, type BaseConfig } from '../config';
import { createLogger, type Logger } from '../logger';

/** A logger whose JSON lines are kept in memory, for tests that check what was logged. */
export function memoryLogger(service = 'test'): {
  logger: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
} {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return {
    logger: createLogger({ service, level: 'debug', destination: stream }),
    lines,
    text: () => raw.join(''),
  };
}

/** The base configuration with test values (port 0, short shutdown). */
export function testConfig(overrides: Record<string, string> = {}): BaseConfig {
  return loadConfig(
    {},
    {
      PORT: '8080',
      SHUTDOWN_DRAIN_MS: '50',
      SHUTDOWN_GRACE_MS: '5000',
      NODE_ENV: 'test',
      ...overrides,
    },
  );
}
