import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SUMMARY_LIMIT_BYTES, writeSummary } from './summary';

describe('writeSummary', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-'));
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary.md');
  });
  afterEach(() => {
    process.env.GITHUB_STEP_SUMMARY = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('appends markdown blocks, each ending in a newline', () => {
    writeSummary('# one');
    writeSummary('two\n');
    expect(fs.readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('# one\ntwo\n');
  });

  it('cuts a summary above the size GitHub accepts and says so', () => {
    writeSummary('é'.repeat(SUMMARY_LIMIT_BYTES));
    const written = fs.readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(written).toMatch(/the summary was cut here/);
    expect(written).not.toContain('\uFFFD');
  });
});
