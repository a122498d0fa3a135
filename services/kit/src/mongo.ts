import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config';

/**
 * How auth and data connect to MongoDB, valid for Amazon DocumentDB 5.0 as well: retryable
 * writes off (DocumentDB supports them only from engine 8.0.2; MongoDB works either way) and,
 * with a CA bundle file (DocumentDB's global-bundle.pem, mounted read-only by the chart), TLS
 * that verifies the server against exactly that bundle.
 */
export const mongoConnectionShape = {
  /** PEM file of the CA(s) the server certificate must chain to; set: TLS is required. */
  MONGODB_TLS_CA_FILE: z.string().min(1).optional(),
  MONGODB_RETRY_WRITES: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
};

export interface MongoConnectionConfig {
  MONGODB_TLS_CA_FILE?: string | undefined;
  MONGODB_RETRY_WRITES: boolean;
}

/** The subset of the driver's MongoClientOptions these settings fill in. */
export interface MongoClientSettings {
  appName: string;
  retryWrites: boolean;
  serverSelectionTimeoutMS: number;
  tls?: true;
  tlsCAFile?: string;
}

/**
 * Client options for the driver (they take precedence over the same options in the URI, so a
 * connection string with retryWrites=true cannot turn them back on). Throws a ConfigError
 * naming MONGODB_TLS_CA_FILE when the bundle cannot be read.
 */
export function mongoClientOptions(
  config: MongoConnectionConfig,
  appName: string,
  serverSelectionTimeoutMS = 5000,
): MongoClientSettings {
  const settings: MongoClientSettings = {
    appName,
    retryWrites: config.MONGODB_RETRY_WRITES,
    serverSelectionTimeoutMS,
  };
  const caFile = config.MONGODB_TLS_CA_FILE;
  if (caFile === undefined) return settings;
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `MONGODB_TLS_CA_FILE: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError([`MONGODB_TLS_CA_FILE: ${caFile} holds no PEM certificate`]);
  return { ...settings, tls: true, tlsCAFile: caFile };
}
