/** Reads a Markdown table back, to check that the docs state what a test expects. */

/** The rows of the first Markdown table after `heading`, cells trimmed and without backticks. */
export function markdownTable(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  if (start === -1) return [];
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  if (first === -1) return [];
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  return lines
    .slice(first, end === -1 ? undefined : end)
    .filter((line) => !/^\|[\s:|-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
}
