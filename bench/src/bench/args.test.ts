import { DEFAULT_MONGO_SIZES, DEFAULT_SIZES, parseArgs } from './args';

const parse = (...argv: string[]) => parseArgs(argv, '/out');

describe('parseArgs', () => {
  it('has defaults', () => {
    expect(parse()).toEqual({
      durationSeconds: 3,
      warmupSeconds: 1,
      connections: 16,
      unloadedSeconds: 2,
      sizes: DEFAULT_SIZES,
      mongoSizes: DEFAULT_MONGO_SIZES,
      skipMongo: false,
      skipEmbedded: false,
      outDir: '/out',
      seed: 42,
      help: false,
    });
  });

  it('reads every flag, with a separate or an inline value', () => {
    const options = parse(
      '--duration',
      '5',
      '--connections=32',
      '--unloaded',
      '3',
      '--warmup',
      '0',
      '--sizes',
      '1000, 5000,200000',
      '--mongo-sizes=10,20',
      '--skip-mongo',
      '--out',
      'results',
      '--seed=7',
      '--profile',
      '/tmp/prof',
    );
    expect(options).toMatchObject({
      durationSeconds: 5,
      connections: 32,
      unloadedSeconds: 3,
      warmupSeconds: 0,
      sizes: [1000, 5000, 200_000],
      mongoSizes: [10, 20],
      skipMongo: true,
      outDir: 'results',
      seed: 7,
      profileDir: '/tmp/prof',
    });
  });

  it.each([
    [['--duration'], '--duration needs a value'],
    [['--duration', '--skip-mongo'], '--duration needs a value'],
    [['--duration', 'five'], '--duration: "five" is not a whole number'],
    [['--duration', '2.5'], '--duration: "2.5" is not a whole number'],
    [['--connections', '0'], '--connections: 0 is outside 1-1024'],
    [['--sizes', '100,50'], '--sizes: 100,50 must be strictly ascending'],
    [['--sizes', '50000,300000'], '--sizes: 300000 is outside 1-200000'],
    [['--sizes', '1,,2'], '--sizes: "" is not a whole number'],
    [['--mongo-sizes', '5,5'], '--mongo-sizes: 5,5 must be strictly ascending'],
    [['--out'], '--out needs a folder'],
    [['--profile', '--skip-mongo'], '--profile needs a folder'],
    [['--durations', '5'], 'unknown option --durations'],
    [['5'], 'unknown option 5'],
    [['--skip-mongo', '--skip-embedded'], 'leave nothing to run'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parse(...argv)).toThrow(message);
    expect(() => parse(...argv)).toThrow(/Usage|npm run bench/);
  });
});
