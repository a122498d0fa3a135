import { createLogger, exitOnConfigError, loadConfigOrExit } from '@movies/kit';
import { createAuthApp } from './app';
import { authConfigShape } from './config';
import { buildAuthDeps } from './deps';
import { watchSigningKeys } from './keys';

const config = loadConfigOrExit(authConfigShape);
const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL });
let deps: ReturnType<typeof buildAuthDeps>;
try {
  deps = buildAuthDeps(config, logger);
} catch (error) {
  exitOnConfigError(error);
}
const auth = createAuthApp({ config, logger, ...deps });
if (config.JWT_KEYS_DIR)
  auth.onShutdown(
    watchSigningKeys(deps.keys, config.JWT_KEYS_DIR, {
      intervalMs: config.JWT_KEYS_CHECK_MS,
      logger,
    }),
  );
auth.start().catch((error: unknown) => {
  logger.fatal({ err: error }, 'auth failed to start');
  process.exit(1);
});
