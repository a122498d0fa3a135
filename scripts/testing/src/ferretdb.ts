import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toolPath } from './paths';
import { startProcess, type StartedProcess } from './processes';

export interface FerretDBServer {
  /** mongodb://127.0.0.1:<port>/ — pass a database name in the driver, not here. */
  readonly uri: string;
  readonly dataDir: string;
  /** With `tls`: the CA file a client must trust (the server refuses plain connections). */
  readonly caFile?: string;
  readonly process: StartedProcess;
  /** Stops the server (SIGTERM) and, unless the data folder was given by the caller, removes it. */
  stop(): Promise<void>;
}

export interface FerretDBOptions {
  /** Keep data here (it survives stop/start); a fresh temporary folder otherwise. */
  dataDir?: string;
  /** Listen on this loopback port; a free one is chosen otherwise. */
  port?: number;
  /**
   * TLS only, as DocumentDB with tls=enabled: a fresh CA and server certificate are generated in
   * the data folder (`caFile`).
   */
  tls?: boolean;
}

/**
 * Starts the FerretDB server from the toolchain (.tools/bin/ferretdb, SQLite backend) on a
 * loopback port. It prints "ferretdb ready uri=..." once the listener is bound.
 */
export async function startFerretDB(options: FerretDBOptions = {}): Promise<FerretDBServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-'));
  const listen = `127.0.0.1:${options.port ?? 0}`;
  const started = await startProcess(
    toolPath('ferretdb'),
    [
      '--listen-addr',
      listen,
      '--data-dir',
      dataDir,
      ...(options.tls ? ['--tls-dir', path.join(dataDir, 'tls')] : []),
    ],
    { readyPattern: /ferretdb ready uri=\S+/, timeoutMs: 30_000 },
  );
  const match = /ferretdb ready uri=(\S+)/.exec(started.output());
  if (!match?.[1]) throw new Error(`ferretdb printed no URI:\n${started.output()}`);
  return {
    uri: match[1],
    dataDir,
    ...(options.tls ? { caFile: path.join(dataDir, 'tls', 'ca.pem') } : {}),
    process: started,
    async stop() {
      await started.stop('SIGTERM');
      if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
