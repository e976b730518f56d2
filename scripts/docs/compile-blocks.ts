/**
 * Type-checks TypeScript code blocks of the docs: each block becomes one file of a fixture
 * project in which `nestjs-ory-iam` and `nestjs-ory-iam/testing` resolve to src/ (the paths of
 * the root tsconfig), compiled by tsc with the library's own strict options. Errors come back
 * as `file.md:line:column`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CodeBlock } from './markdown-blocks.js';

export const TYPESCRIPT_LANGUAGES: readonly string[] = ['ts', 'typescript'];

export interface BlockError {
  /** `README.md:146:5`, or a path outside the docs when the error is not in a block. */
  readonly location: string;
  readonly message: string;
}

/** A block whose first line is `// name.ts` is written under that name, so others can import it. */
const FILE_NAME_COMMENT = /^\/\/\s*([\w.-]+\.ts)\s*$/;
const TSC_ERROR = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/;

function fixtureDirectory(file: string): string {
  return file.replace(/\.md$/, '').replaceAll(/[\\/]/g, '__');
}

function fixtureName(block: CodeBlock): string {
  const firstLine = block.code.split('\n', 1)[0] ?? '';
  return FILE_NAME_COMMENT.exec(firstLine)?.[1] ?? `line-${block.line}.ts`;
}

function tsconfigFor(root: string, outDir: string): string {
  return `${JSON.stringify(
    {
      extends: relative(outDir, join(root, 'tsconfig.json')),
      compilerOptions: {
        // Lets blocks use top-level await and import each other without extensions, as the
        // snippets of a Nest project do; everything else is the library's own strict setup.
        module: 'preserve',
        moduleResolution: 'bundler',
        noEmit: true,
      },
      include: ['**/*.ts'],
    },
    null,
    2,
  )}\n`;
}

/** tsc's report, one error per entry; continuation lines are folded into their error. */
function tscErrors(output: string): { file: string; line: number; column: number; text: string }[] {
  const errors: { file: string; line: number; column: number; text: string }[] = [];
  for (const line of output.split('\n')) {
    const match = TSC_ERROR.exec(line);
    if (match !== null) {
      errors.push({
        file: match[1] ?? '',
        line: Number(match[2]),
        column: Number(match[3]),
        text: match[4] ?? '',
      });
    } else if (line.trim() !== '' && errors.length > 0) {
      const last = errors[errors.length - 1];
      if (last !== undefined) last.text += `\n    ${line.trim()}`;
    } else if (line.trim() !== '') {
      errors.push({ file: '', line: 0, column: 0, text: line.trim() });
    }
  }
  return errors;
}

/**
 * Writes `blocks` into `outDir` (emptied first) and compiles them. Fixture lines are the block's
 * lines one for one, so an error's line maps straight back into the markdown.
 */
export function compileBlocks(
  root: string,
  outDir: string,
  blocks: readonly CodeBlock[],
): BlockError[] {
  rmSync(outDir, { recursive: true, force: true });
  const byFixture = new Map<string, CodeBlock>();
  const clashes: BlockError[] = [];
  for (const block of blocks) {
    const path = resolve(outDir, fixtureDirectory(block.file), fixtureName(block));
    const earlier = byFixture.get(path);
    if (earlier !== undefined) {
      clashes.push({
        location: `${block.file}:${block.line}`,
        message: `names the same file as the block at line ${earlier.line}`,
      });
      continue;
    }
    byFixture.set(path, block);
    mkdirSync(resolve(path, '..'), { recursive: true });
    // `export {}` keeps every block a module, so two blocks never share top-level names.
    writeFileSync(path, `${block.code}\nexport {};\n`);
  }
  writeFileSync(join(outDir, 'tsconfig.json'), tsconfigFor(root, outDir));

  const tsc = spawnSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'],
    { cwd: root, encoding: 'utf8' },
  );
  if (tsc.error !== undefined) {
    return [...clashes, { location: 'tsc', message: `cannot run tsc: ${tsc.error.message}` }];
  }
  const errors = tscErrors(`${tsc.stdout}${tsc.stderr}`).map((error): BlockError => {
    const block = byFixture.get(resolve(root, error.file));
    if (block === undefined) {
      const where = error.file === '' ? 'tsc' : `${error.file}:${error.line}:${error.column}`;
      return { location: where, message: error.text };
    }
    const line = block.line + error.line - 1;
    return {
      location: `${block.file}:${line}:${error.column + block.indent}`,
      message: error.text,
    };
  });
  if (tsc.status !== 0 && errors.length === 0) {
    return [...clashes, { location: 'tsc', message: `exited with ${tsc.status ?? 'a signal'}` }];
  }
  return [...clashes, ...errors];
}
