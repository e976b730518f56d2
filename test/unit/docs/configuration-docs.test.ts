import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOf, formatDefault } from './support/config-defaults.js';
import { configOptions } from './support/config-options.js';
import { optionRows } from './support/option-tables.js';

const DOC = 'docs/configuration.md';
const markdown = readFileSync(join(import.meta.dirname, '../../..', DOC), 'utf8');

/**
 * docs/configuration.md cannot drift from the code: the options come from the public config types
 * (IamModuleOptions and everything under it), the defaults from running the validator. A new
 * option needs one row in the table of its block, with its default.
 */
describe(DOC, () => {
  const options = configOptions();
  const { rows, problems: tableProblems } = optionRows(markdown);

  it('has well-formed option tables', () => {
    expect(tableProblems.map((problem) => `${DOC}:${problem.line}: ${problem.message}`)).toEqual(
      [],
    );
  });

  it('documents every option with the default the validator applies', () => {
    const problems: string[] = [];
    for (const option of options.filter((candidate) => !candidate.branch)) {
      const documented = rows.filter((row) => row.path === option.path);
      const row = documented[0];
      if (row === undefined) {
        problems.push(`${option.path}: no row in ${DOC}`);
        continue;
      }
      if (documented.length > 1) {
        problems.push(
          `${option.path}: ${documented.length} rows (lines ${documented.map((r) => r.line).join(', ')})`,
        );
      }
      const fallback = defaultOf(option.path);
      const where = `${option.path} (${DOC}:${row.line})`;
      if (fallback.kind === 'required' && !/required/i.test(row.defaultCell)) {
        problems.push(`${where}: boot fails without it, the default column must say 'required'`);
      }
      if (fallback.kind === 'value') {
        const expected = `\`${formatDefault(fallback.value)}\``;
        if (!row.defaultCell.includes(expected)) {
          problems.push(`${where}: default is ${expected}, the table says '${row.defaultCell}'`);
        }
      }
      if (fallback.kind === 'none' && row.defaultCell === '') {
        problems.push(`${where}: the default column is empty (say what absent means)`);
      }
    }
    expect(problems).toEqual([]);
  }, 30_000);

  it('documents no option that does not exist', () => {
    const known = new Set(options.map((option) => option.path));
    const unknown = rows
      .filter((row) => !known.has(row.path))
      .map((row) => `${DOC}:${row.line}: ${row.path} is not an option of IamModuleOptions`);
    expect(unknown).toEqual([]);
  }, 30_000);
});
