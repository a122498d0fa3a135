import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['45s', 45_000],
    ['250ms', 250],
    ['1m500ms', 60_500],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'ten minutes', '5d', '-1m', '1.5h'])('rejects %j naming the input', (text) => {
    expect(() => parseDuration(text, 'smoke-timeout')).toThrow(
      /input smoke-timeout: .* is not a duration/,
    );
  });
});
