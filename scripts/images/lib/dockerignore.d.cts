export interface IgnoreRule {
  negate: boolean;
  pattern: RegExp;
}
export function parseDockerignore(text: string): IgnoreRule[];
export function isIncluded(file: string, rules: IgnoreRule[]): boolean;
export function filesUnder(root: string, relative: string): string[];
export function contextFiles(root: string, text: string): string[];
