/**
 * The option tables of docs/configuration.md. Each is announced by a comment naming the block it
 * documents, e.g. `<!-- options: tenants.*.oathkeeper.jwks -->` right above the table, whose first
 * column is the option (`` `cooldownMs` ``, or `` `csrf.enabled` `` for a nested one) and which has
 * a `default` column. The top-level options' table is announced by `<!-- options -->`.
 */

export interface OptionRow {
  /** Full option path: the table's scope joined with the row's name. */
  readonly path: string;
  /** The text of the `default` cell. */
  readonly defaultCell: string;
  /** 1-based line in the markdown. */
  readonly line: number;
}

export interface TableProblem {
  readonly line: number;
  readonly message: string;
}

/** `<!-- options -->` announces the top-level options, `<!-- options: tenants.* -->` a block's. */
const SCOPE = /^<!--\s*options(?::\s*(\S+))?\s*-->$/;

/** Cells of a table row, with `\|` (a pipe inside a cell) kept in its cell. */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

export function optionRows(markdown: string): { rows: OptionRow[]; problems: TableProblem[] } {
  const lines = markdown.split('\n');
  const rows: OptionRow[] = [];
  const problems: TableProblem[] = [];
  lines.forEach((line, index) => {
    const match = SCOPE.exec(line.trim());
    if (match === null) return;
    const scope = match[1] ?? '';
    let header = index + 1;
    while ((lines[header] ?? '').trim() === '') header += 1;
    const headerCells = cellsOf(lines[header] ?? '');
    const defaultColumn = headerCells.findIndex((cell) => cell.toLowerCase() === 'default');
    if (!(lines[header] ?? '').trim().startsWith('|') || defaultColumn === -1) {
      problems.push({
        line: index + 1,
        message: `the options comment for '${scope}' must be followed by a table with a 'default' column`,
      });
      return;
    }
    for (let row = header + 2; (lines[row] ?? '').trim().startsWith('|'); row += 1) {
      const cells = cellsOf(lines[row] ?? '');
      const name = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
      if (name === undefined) {
        problems.push({ line: row + 1, message: `first cell must be one option in backticks` });
        continue;
      }
      rows.push({
        path: scope === '' ? name : `${scope}.${name}`,
        defaultCell: cells[defaultColumn] ?? '',
        line: row + 1,
      });
    }
  });
  return { rows, problems };
}
