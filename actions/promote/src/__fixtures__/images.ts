/** A 40-hex git sha made of one repeated character. */
export const sha = (c: string): string => c.repeat(40);
/** A `sha256:` digest made of one repeated character. */
export const digest = (c: string): string => `sha256:${c.repeat(64)}`;
