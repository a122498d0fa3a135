import { ArgumentError } from './bench/args';
import { run } from './bench/main';

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof ArgumentError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(error instanceof ArgumentError ? 2 : 1);
});
