import { run } from './main';

run().catch(() => process.exit(1));
