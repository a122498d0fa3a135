import fs from 'node:fs';

/**
 * Reads the JSON-lines log a recording stand-in executable (terraform, helm, kubectl, kops)
 * appends one call to per invocation; no log yet means no call.
 */
export function readRecordedCalls<T>(log: string): T[] {
  if (!fs.existsSync(log)) return [];
  const text = fs.readFileSync(log, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as T);
}
