/**
 * The fenced code blocks of a markdown file, with the line each starts on, so every finding about
 * a block can name `file:line`.
 */

export interface CodeBlock {
  /** The markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  readonly line: number;
  /** The info string's first word, lowercased (`ts`, `sh`, `text`); empty when none. */
  readonly language: string;
  /** The code with the fence's indentation removed. */
  readonly code: string;
  /** Columns removed from every line (a fence indented inside a list item). */
  readonly indent: number;
  /** Present when `<!-- docs-check: skip REASON -->` precedes the fence. */
  readonly skipReason?: string;
}

/** A skip marker without a reason: the reader must see why a block is not checked. */
export interface MarkerProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const FENCE = /^( *)(`{3,}|~{3,})\s*([^\s`]*)/;
const MARKER = /^\s*<!--\s*docs-check:\s*(\S+)\s*(.*?)\s*-->\s*$/;

function skipMarkerBefore(
  lines: readonly string[],
  fenceIndex: number,
): { index: number; action: string; reason: string } | undefined {
  let index = fenceIndex - 1;
  while (index >= 0 && lines[index]?.trim() === '') index -= 1;
  const match = MARKER.exec(lines[index] ?? '');
  if (match === null) return undefined;
  return { index, action: match[1] ?? '', reason: match[2] ?? '' };
}

function dedent(lines: readonly string[], indent: number): string {
  return lines
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n');
}

/** Every fenced block of `text`; `file` only labels them. */
export function codeBlocksOf(
  file: string,
  text: string,
): { blocks: CodeBlock[]; problems: MarkerProblem[] } {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  const problems: MarkerProblem[] = [];
  let index = 0;
  while (index < lines.length) {
    const open = FENCE.exec(lines[index] ?? '');
    if (open === null) {
      index += 1;
      continue;
    }
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const language = (open[3] ?? '').toLowerCase();
    const closing = new RegExp(`^\\s*${fence.charAt(0)}{${fence.length},}\\s*$`);
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end] ?? '')) end += 1;
    const marker = skipMarkerBefore(lines, index);
    let skipReason: string | undefined;
    if (marker !== undefined) {
      if (marker.action !== 'skip') {
        problems.push({
          file,
          line: marker.index + 1,
          message: `unknown docs-check marker '${marker.action}' (the only one is 'skip REASON')`,
        });
      } else if (marker.reason === '') {
        problems.push({
          file,
          line: marker.index + 1,
          message: 'docs-check: skip needs a reason (<!-- docs-check: skip REASON -->)',
        });
      } else {
        skipReason = marker.reason;
      }
    }
    blocks.push({
      file,
      line: index + 2,
      language,
      code: dedent(lines.slice(index + 1, end), indent),
      indent,
      ...(skipReason !== undefined && { skipReason }),
    });
    index = end + 1;
  }
  return { blocks, problems };
}
