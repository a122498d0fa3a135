export { repoRoot, toolPath, toolsBinDir } from './paths';
export { freePort } from './ports';
export { startProcess, type StartedProcess, type StartOptions } from './processes';
export { startFerretDB, type FerretDBServer, type FerretDBOptions } from './ferretdb';
export {
  generateTestSigningKey,
  signRs256,
  tokenAttacks,
  validTestToken,
  type TestSigningKey,
  type TokenAttack,
  type TokenOptions,
} from './token-attacks';
export { startJwksServer, type JwksServer } from './jwks-server';
export { buildWorkspace } from './build';
export { runTool, type ToolResult } from './tools';
export {
  startFakeAws,
  type AmiFixture,
  type AwsCall,
  type FakeAws,
  type FakeAwsOptions,
  type FakeAwsRequest,
} from './fake-aws';
