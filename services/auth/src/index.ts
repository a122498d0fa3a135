import { createLogger, exitOnConfigError, loadConfigOrExit } from '@movies/kit';
import { createAuthApp } from './app';
import { authConfigShape } from './config';
import { buildAuthDeps } from './deps';

const config = loadConfigOrExit(authConfigShape);
const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL });
let deps: ReturnType<typeof buildAuthDeps>;
try {
  deps = buildAuthDeps(config, logger);
} catch (error) {
  exitOnConfigError(error);
}
createAuthApp({ config, logger, ...deps })
  .start()
  .catch((error: unknown) => {
    logger.fatal({ err: error }, 'auth failed to start');
    process.exit(1);
  });
