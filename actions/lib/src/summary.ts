import fs from 'node:fs';

/** GitHub rejects a step summary above 1 MiB; stay below it with room for the note. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/**
 * Appends markdown to the job summary (`GITHUB_STEP_SUMMARY`); prints it when run outside a
 * workflow. Markdown beyond the size GitHub accepts is cut with a note saying so.
 */
export function writeSummary(markdown: string): void {
  let text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text, 'utf8') > SUMMARY_LIMIT_BYTES) {
    const note =
      '\n\n_… the summary was cut here: it exceeds the 1 MiB GitHub accepts. The plan artifact has everything._\n';
    let cut = Buffer.from(text, 'utf8')
      .subarray(0, SUMMARY_LIMIT_BYTES - Buffer.byteLength(note))
      .toString('utf8');
    cut = cut.replace(/\uFFFD$/, ''); // a multi-byte character split at the cut
    text = cut + note;
  }
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    process.stdout.write(`--- job summary (GITHUB_STEP_SUMMARY is not set) ---\n${text}`);
    return;
  }
  fs.appendFileSync(file, text);
}
