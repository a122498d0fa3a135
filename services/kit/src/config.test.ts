import { z } from 'zod';
import { ConfigError, intVar, loadConfig, urlVar } from './config';

describe('loadConfig', () => {
  it('applies the base defaults and coerces numbers', () => {
    const config = loadConfig({}, { PORT: '8081' });
    expect(config).toEqual({
      PORT: 8081,
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_MS: 2000,
      SHUTDOWN_GRACE_MS: 10000,
      SERVICE_VERSION: '0.0.0-dev',
      GIT_SHA: 'unknown',
      BODY_LIMIT: '100kb',
      NODE_ENV: 'development',
    });
  });

  it('merges the service shape and ignores unrelated variables', () => {
    const config = loadConfig(
      { AUTH_URL: urlVar(), RETRIES: intVar(0, 5, 2) },
      {
        PORT: '1',
        AUTH_URL: 'http://auth:8081/',
        OTHER: 'x',
      },
    );
    expect(config.AUTH_URL).toBe('http://auth:8081');
    expect(config.RETRIES).toBe(2);
    expect(config).not.toHaveProperty('OTHER');
  });

  it('names every missing and invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig(
        { AUTH_URL: urlVar(), MODE: z.enum(['a', 'b']) },
        { PORT: '70000', SHUTDOWN_DRAIN_MS: 'soon', MODE: 'c' },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT: must be an integer 1-65535');
    expect(message).toContain('SHUTDOWN_DRAIN_MS: must be an integer 0-120000');
    expect(message).toContain('AUTH_URL: required');
    expect(message).toMatch(/MODE: .*"a"/);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('treats empty variables as unset', () => {
    expect(() => loadConfig({}, { PORT: '  ' })).toThrow('PORT: required');
  });

  it('rejects a non-integer port and a bad URL', () => {
    expect(() => loadConfig({}, { PORT: '80.5' })).toThrow('PORT: must be an integer 1-65535');
    expect(() => loadConfig({ DATA_URL: urlVar() }, { PORT: '80', DATA_URL: 'data:8083' })).toThrow(
      'DATA_URL: must be an http(s) URL',
    );
  });
});
