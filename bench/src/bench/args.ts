/** The benchmark's options (`npm run bench -- --duration 5 ...`). */
export interface BenchOptions {
  /** Seconds of measured load per scenario. */
  durationSeconds: number;
  /** Seconds of discarded load before each measurement. */
  warmupSeconds: number;
  /** Concurrent keep-alive connections of the load generator. */
  connections: number;
  /**
   * Seconds of the second measurement of each call, on one connection (one request at a time):
   * the per-request latency, without the queueing that saturating load adds.
   */
  unloadedSeconds: number;
  /** Dataset sizes (ratings) at which recommendation is measured; ascending prefixes of the dataset. */
  sizes: number[];
  /** The same for the FerretDB stack. */
  mongoSizes: number[];
  /** Run the embedded-store stack only (no FerretDB). */
  skipMongo: boolean;
  /** Run the FerretDB stack only. */
  skipEmbedded: boolean;
  /** Where <timestamp>.json/.md/.svg are written. */
  outDir: string;
  /** Dataset seed (same seed, same dataset). */
  seed: number;
  /** When set, each service runs with --cpu-prof and writes its profile into this folder. */
  profileDir?: string;
  help: boolean;
}

export const DEFAULT_SIZES = [50_000, 100_000, 200_000];
export const DEFAULT_MONGO_SIZES = DEFAULT_SIZES;
/** The generated dataset: its largest prefix is what the largest size may use. */
export const DATASET_RATINGS = 200_000;

export const USAGE = `npm run bench -- [options]

  --duration N      seconds of measured load per scenario (default 3)
  --warmup N        seconds of discarded warm-up load before each one (default 1)
  --connections N   concurrent connections of the load generator (default 16)
  --unloaded N      seconds of each call's one-connection latency run (default 2)
  --sizes A,B,C     dataset sizes in ratings for the recommendation scaling
                    (default 50000,100000,200000; each at most ${DATASET_RATINGS})
  --mongo-sizes A,B the same for the FerretDB stack (default: the same sizes)
  --seed N          dataset seed (default 42)
  --skip-mongo      only the embedded-store stack
  --skip-embedded   only the FerretDB stack
  --out DIR         results folder (default bench/results)
  --profile DIR     run each service with node --cpu-prof, profiles into DIR
                    (written when the services stop; profiling slows them down)
  --help            this text
`;

export class ArgumentError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'ArgumentError';
  }
}

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || raw.startsWith('--')) throw new ArgumentError(`${flag} needs a value`);
  if (!/^\d+$/.test(raw)) throw new ArgumentError(`${flag}: "${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ArgumentError(`${flag}: ${value} is outside ${min}-${max}`);
  }
  return value;
}

function sizes(flag: string, raw: string | undefined): number[] {
  if (raw === undefined || raw.startsWith('--')) throw new ArgumentError(`${flag} needs a value`);
  const values = raw.split(',').map((part) => integer(flag, part.trim(), 1, DATASET_RATINGS));
  for (let i = 1; i < values.length; i += 1) {
    if ((values[i] as number) <= (values[i - 1] as number)) {
      throw new ArgumentError(`${flag}: ${raw} must be strictly ascending`);
    }
  }
  return values;
}

function folder(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw.startsWith('--'))
    throw new ArgumentError(`${flag} needs a folder`);
  return raw;
}

/** Parses argv (without node and the script); unknown flags and bad values are errors. */
export function parseArgs(argv: readonly string[], defaultOutDir: string): BenchOptions {
  const options: BenchOptions = {
    durationSeconds: 3,
    warmupSeconds: 1,
    connections: 16,
    unloadedSeconds: 2,
    sizes: DEFAULT_SIZES,
    mongoSizes: DEFAULT_MONGO_SIZES,
    skipMongo: false,
    skipEmbedded: false,
    outDir: defaultOutDir,
    seed: 42,
    help: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--duration':
        options.durationSeconds = integer(flag, value(), 1, 600);
        break;
      case '--warmup':
        options.warmupSeconds = integer(flag, value(), 0, 60);
        break;
      case '--connections':
        options.connections = integer(flag, value(), 1, 1024);
        break;
      case '--unloaded':
        options.unloadedSeconds = integer(flag, value(), 1, 600);
        break;
      case '--sizes':
        options.sizes = sizes(flag, value());
        break;
      case '--mongo-sizes':
        options.mongoSizes = sizes(flag, value());
        break;
      case '--seed':
        options.seed = integer(flag, value(), 0, 2 ** 31);
        break;
      case '--out':
        options.outDir = folder(flag, value());
        break;
      case '--profile':
        options.profileDir = folder(flag, value());
        break;
      case '--skip-mongo':
        options.skipMongo = true;
        break;
      case '--skip-embedded':
        options.skipEmbedded = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new ArgumentError(`unknown option ${argv[i]}`);
    }
  }
  if (options.skipMongo && options.skipEmbedded) {
    throw new ArgumentError('--skip-mongo and --skip-embedded together leave nothing to run');
  }
  return options;
}
