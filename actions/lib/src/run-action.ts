import * as core from '@actions/core';

/** Turns anything thrown (an Error, a string, an object) into one readable message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return `non-error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-error thrown: ${String(error)}`;
  }
}

/**
 * The only thing an action's `index.ts` calls: runs `main` and fails the step with a clear
 * message for anything it throws, Error or not (the runner then marks the step failed through
 * the process exit code set by `core.setFailed`).
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof Error && error.stack) core.debug(error.stack);
    core.setFailed(describeError(error));
  }
}
