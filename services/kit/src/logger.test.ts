import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, raw, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and level label', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'auth', destination: stream }).info({ userId: 'u1' }, 'registered');
    expect(lines[0]).toMatchObject({
      service: 'auth',
      level: 'info',
      msg: 'registered',
      userId: 'u1',
    });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('redacts passwords, tokens, keys and auth headers wherever they appear', () => {
    const { raw, lines, stream } = capture();
    const logger = createLogger({ service: 'auth', destination: stream });
    logger.info({
      password: 'hunter2-secret',
      body: { password: 'nested-secret', username: 'ana' },
      result: { accessToken: 'eyJ.token.value' },
      req: {
        headers: {
          authorization: 'Bearer abc.def.ghi',
          cookie: 'sid=cookie-secret',
          accept: 'json',
        },
      },
      privateKey: '-----BEGIN PRIVATE KEY-----',
      deep: { a: { token: 'deep-token' } },
    });
    const text = raw.join('');
    for (const secret of [
      'hunter2-secret',
      'nested-secret',
      'eyJ.token.value',
      'abc.def.ghi',
      'cookie-secret',
      'BEGIN PRIVATE',
      'deep-token',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ body: { username: 'ana', password: '[redacted]' } });
    expect(lines[0]).toMatchObject({
      req: { headers: { accept: 'json', authorization: '[redacted]' } },
    });
  });

  it('honours the level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'web', level: 'warn', destination: stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
