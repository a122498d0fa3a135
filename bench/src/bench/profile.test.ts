import { hotFunctions, type CpuProfile } from './profile';

const frame = (functionName: string, url: string, lineNumber: number) => ({
  functionName,
  url,
  lineNumber,
});

describe('hotFunctions', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 1_000_000,
    nodes: [
      { id: 1, hitCount: 0, callFrame: frame('(root)', '', -1) },
      { id: 2, hitCount: 50, callFrame: frame('(idle)', '', -1) },
      { id: 3, hitCount: 30, callFrame: frame('scryptSync', 'node:internal/crypto/scrypt', 9) },
      {
        id: 4,
        hitCount: 15,
        callFrame: frame(
          'recommend',
          'file:///repo/services/recommendation/build/engine/model.js',
          99,
        ),
      },
      // the same function reached through another call path counts once, summed
      {
        id: 5,
        hitCount: 5,
        callFrame: frame(
          'recommend',
          'file:///repo/services/recommendation/build/engine/model.js',
          99,
        ),
      },
      {
        id: 6,
        hitCount: 0,
        callFrame: frame('', 'file:///repo/node_modules/express/lib/router.js', 3),
      },
    ],
  };

  it('ranks functions by self samples, merging call paths, with short locations', () => {
    expect(hotFunctions(profile, '/repo', 3)).toEqual([
      { where: '(idle)', selfShare: 0.5 },
      { where: 'scryptSync (node:internal/crypto/scrypt:10)', selfShare: 0.3 },
      { where: 'recommend (services/recommendation/build/engine/model.js:100)', selfShare: 0.2 },
    ]);
  });

  it('names anonymous functions and shortens node_modules paths', () => {
    const anonymous: CpuProfile = { ...profile, nodes: [{ ...profile.nodes[5]!, hitCount: 1 }] };
    expect(hotFunctions(anonymous, '/repo')).toEqual([
      { where: '(anonymous) (express/lib/router.js:4)', selfShare: 1 },
    ]);
  });
});
