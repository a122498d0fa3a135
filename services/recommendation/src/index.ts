import { run } from './main';

run().catch((error: unknown) => {
  process.stderr.write(
    `recommendation: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
