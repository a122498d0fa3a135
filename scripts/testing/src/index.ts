export { repoRoot, toolPath, toolsBinDir } from './paths';
export { freePort } from './ports';
export { startProcess, type StartedProcess, type StartOptions } from './processes';
export { startFerretDB, type FerretDBServer, type FerretDBOptions } from './ferretdb';
