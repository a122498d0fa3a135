const PART = /(\d+)(h|ms|m|s)/g;
const WHOLE = /^(\d+(h|ms|m|s))+$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * A Go-style duration as tools like helm and kops take it (`10m`, `1h30m`, `45s`), in
 * milliseconds. Throws naming the input when the text is not one.
 */
export function parseDuration(text: string, inputName = 'duration'): number {
  const value = text.trim();
  if (!WHOLE.test(value)) {
    throw new Error(`input ${inputName}: "${text}" is not a duration like 10m, 1h30m or 45s`);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
