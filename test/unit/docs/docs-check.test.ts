import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandProblems, shellWords } from '../../../scripts/docs/check-commands.js';
import { compileBlocks } from '../../../scripts/docs/compile-blocks.js';
import { codeBlocksOf } from '../../../scripts/docs/markdown-blocks.js';

const repoRoot = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'docs-check-test-'));
// Fixtures resolve packages from the repository's node_modules, so they live inside it.
mkdirSync(join(repoRoot, '.docs-check'), { recursive: true });
const fixtures = mkdtempSync(join(repoRoot, '.docs-check', 'unit-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(fixtures, { recursive: true, force: true });
});

describe('codeBlocksOf', () => {
  it('finds fenced blocks with the line of their first code line, indented ones dedented', () => {
    const text = [
      '# Title', // 1
      '', // 2
      '```ts', // 3
      'const a = 1;', // 4
      '```', // 5
      '- a list item:', // 6
      '', // 7
      '  ```sh', // 8
      '  npm test', // 9
      '  ```', // 10
    ].join('\n');
    const { blocks, problems } = codeBlocksOf('doc.md', text);
    expect(problems).toEqual([]);
    expect(blocks).toEqual([
      { file: 'doc.md', line: 4, language: 'ts', code: 'const a = 1;', indent: 0 },
      { file: 'doc.md', line: 9, language: 'sh', code: 'npm test', indent: 2 },
    ]);
  });

  it('takes a skip marker with its reason, and reports one without a reason', () => {
    const text = [
      '<!-- docs-check: skip needs a package we do not install -->',
      '',
      '```ts',
      'import x from "elsewhere";',
      '```',
      '<!-- docs-check: skip -->',
      '```ts',
      'broken(',
      '```',
    ].join('\n');
    const { blocks, problems } = codeBlocksOf('doc.md', text);
    expect(blocks[0]?.skipReason).toBe('needs a package we do not install');
    expect(blocks[1]?.skipReason).toBeUndefined();
    expect(problems).toEqual([
      { file: 'doc.md', line: 6, message: expect.stringContaining('needs a reason') },
    ]);
  });
});

describe('compileBlocks', () => {
  it('names the markdown line and column of an error inside a block', () => {
    const text = [
      'Intro',
      '',
      '```ts',
      'const ok: string = "yes";',
      'const n: number = ok;',
      '```',
    ];
    const { blocks } = codeBlocksOf('docs/example.md', text.join('\n'));
    const errors = compileBlocks(repoRoot, join(fixtures, 'error'), blocks);
    expect(errors).toEqual([
      {
        location: 'docs/example.md:5:7',
        message: expect.stringContaining("error TS2322: Type 'string' is not assignable"),
      },
    ]);
  });
});

describe('commandProblems', () => {
  const root = join(work, 'repo');
  mkdirSync(join(root, 'examples/app'), { recursive: true });
  mkdirSync(join(root, 'scripts'), { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ scripts: { test: 'x', example: 'y' } }),
  );
  writeFileSync(
    join(root, 'examples/app/package.json'),
    JSON.stringify({ scripts: { build: 'z' } }),
  );
  writeFileSync(join(root, 'scripts/run.mjs'), '');

  function problemsOf(shell: string, prose = '') {
    const text = `${prose}\n\n\`\`\`sh\n${shell}\n\`\`\`\n`;
    const { blocks } = codeBlocksOf('doc.md', text);
    return commandProblems(root, blocks, new Map([['doc.md', text]]));
  }

  it('accepts scripts and files that exist, and ignores programs that are not ours', () => {
    const result = problemsOf(
      [
        'npm install && npm run example -- --smoke # a comment with npm run missing',
        'npm test',
        'node --import tsx scripts/run.mjs --flag',
        "node ../.build/<app>/main.js # a placeholder is the reader's to fill in",
        'HOST=0.0.0.0 curl -sS http://127.0.0.1 | jq .',
        'cd examples/app',
        'npm run build',
      ].join('\n'),
      'Run `npm run example` first.',
    );
    expect(result.problems).toEqual([]);
    expect(result.checked).toBe(5);
  });

  it('names each missing script and file with the line that asks for it', () => {
    const result = problemsOf(
      [
        'npm start',
        '(cd examples/app && npm run example)',
        'npm run example',
        'node scripts/gone.mjs',
      ].join('\n'),
      'Then `npm run bench`.',
    );
    expect(result.problems).toEqual([
      {
        location: 'doc.md:4',
        message: expect.stringContaining("package.json has no script 'start'"),
      },
      {
        location: 'doc.md:5',
        message: expect.stringContaining("examples/app/package.json has no script 'example'"),
      },
      { location: 'doc.md:7', message: expect.stringContaining('scripts/gone.mjs does not exist') },
      { location: 'doc.md:1', message: expect.stringContaining("no script 'bench'") },
    ]);
  });

  it("checks the package's own CLI by its commands and options, not by the reader's files", () => {
    const result = problemsOf(
      [
        'npx nestjs-ory-iam rules --app dist/app.module.js --origin https://a --upstream http://b --out rules.json',
        'npx nestjs-ory-iam rule --app dist/app.module.js',
        'npx nestjs-ory-iam rules --app dist/app.module.js --strict',
      ].join('\n'),
    );
    expect(result.problems).toEqual([
      {
        location: 'doc.md:5',
        message: expect.stringContaining("has no command 'rule' (it has: rules)"),
      },
      { location: 'doc.md:6', message: expect.stringContaining('rules has no option --strict') },
    ]);
    expect(result.checked).toBe(3);
  });

  it('splits shell words at separators and keeps quoted text whole', () => {
    expect(shellWords(`A=1 npm run x -- --out 'a b' && echo "#" # comment`)).toEqual([
      'A=1',
      'npm',
      'run',
      'x',
      '--',
      '--out',
      'a b',
      '&&',
      'echo',
      '#',
    ]);
  });
});
