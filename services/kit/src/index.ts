export {
  ConfigError,
  baseConfigShape,
  exitOnConfigError,
  intVar,
  loadConfig,
  loadConfigOrExit,
  requiredString,
  urlVar,
  type BaseConfig,
  type BaseConfigShape,
  type ConfigOf,
} from './config';
export { REDACTED_PATHS, createLogger, type Logger, type LoggerOptions } from './logger';
export {
  HttpError,
  UpstreamError,
  assertSafeKeys,
  errorHandler,
  notFoundHandler,
  parse,
  rejectUnsafeKeys,
  toHttpError,
  upstreamErrorToHttp,
  type UpstreamErrorKind,
} from './errors';
export { REQUEST_ID_HEADER, requestIdMiddleware, requestIdOf } from './request-id';
export { createMetrics, routeLabel, type ServiceMetrics } from './metrics';
export {
  createShutdown,
  installSignalHandlers,
  type Shutdown,
  type ShutdownOptions,
} from './shutdown';
export { opsRoutes, type OpsRoutesOptions } from './ops';
export {
  mongoClientOptions,
  mongoConnectionShape,
  type MongoClientSettings,
  type MongoConnectionConfig,
} from './mongo';
export {
  createService,
  type ReadinessCheck,
  type Service,
  type ServiceOptions,
  type StartOptions,
} from './service';
export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type UpstreamRequest,
  type UpstreamResponse,
} from './http-client';
export {
  TokenError,
  algorithmFor,
  createJwksVerifier,
  createKeySetVerifier,
  keyIdFor,
  keysFromJwks,
  publicJwk,
  requireUser,
  userOf,
  type AuthenticatedUser,
  type ClaimsOptions,
  type JwksVerifier,
  type JwksVerifierOptions,
  type PublicJwk,
  type SigningAlgorithm,
  type TokenVerifier,
  type VerificationKey,
  type VerifiedToken,
} from './jwt';
export { queryInt, queryString } from './query';
