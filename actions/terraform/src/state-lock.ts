/** The lock details terraform prints with "Error acquiring the state lock". */
export interface StateLock {
  id: string;
  path: string;
  who: string;
  created: string;
  operation: string;
  version: string;
}

/** Parses terraform's state lock error (plain or boxed `│ ` output); null when the text is not one. */
export function parseStateLock(output: string): StateLock | null {
  const text = output.replace(/^[│╷╵]\s?/gm, '');
  if (!/Error acquiring the state lock/.test(text)) return null;
  const field = (name: string): string =>
    new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    id: field('ID'),
    path: field('Path'),
    who: field('Who'),
    created: field('Created'),
    operation: field('Operation'),
    version: field('Version'),
  };
}

export function describeStateLock(lock: StateLock): string {
  return [
    `the Terraform state is locked by another run:`,
    `  ID:        ${lock.id || '(unknown)'}`,
    `  Path:      ${lock.path || '(unknown)'}`,
    `  Who:       ${lock.who || '(unknown)'}`,
    `  Created:   ${lock.created || '(unknown)'}`,
    `  Operation: ${lock.operation || '(unknown)'}`,
    `If that run is finished or dead, release it with \`terraform force-unlock ${lock.id || '<ID>'}\` in the environment's working directory.`,
  ].join('\n');
}
