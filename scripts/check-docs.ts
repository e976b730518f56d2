// `npm run check:docs` (a step of .ci/run): every TypeScript block of the README, docs/ and the
// examples' READMEs compiles against src/, and every command they tell a reader to run exists
// (npm scripts, files). A block that cannot compile on its own is skipped only with a visible
// `<!-- docs-check: skip REASON -->` right above it; skips are counted and listed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandProblems } from './docs/check-commands.js';
import { compileBlocks, TYPESCRIPT_LANGUAGES } from './docs/compile-blocks.js';
import { type CodeBlock, codeBlocksOf, type MarkerProblem } from './docs/markdown-blocks.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE_DIR = '.docs-check/docs';

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  const examples = readdirSync(join(root, 'examples'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('README.md') && !path.includes('node_modules'))
    .map((path) => `examples/${path}`);
  return ['README.md', ...docs.sort(), ...examples.sort()];
}

const blocks: CodeBlock[] = [];
const markerProblems: MarkerProblem[] = [];
const texts = new Map<string, string>();
for (const file of markdownFiles()) {
  const text = readFileSync(join(root, file), 'utf8');
  texts.set(file, text);
  const found = codeBlocksOf(file, text);
  blocks.push(...found.blocks);
  markerProblems.push(...found.problems);
}

const typescript = blocks.filter((block) => TYPESCRIPT_LANGUAGES.includes(block.language));
const checked = typescript.filter((block) => block.skipReason === undefined);
const skipped = blocks.filter((block) => block.skipReason !== undefined);
const compileErrors = compileBlocks(root, join(root, FIXTURE_DIR), checked);
const commands = commandProblems(root, blocks, texts);

for (const problem of markerProblems) {
  console.error(`${problem.file}:${problem.line}: ${problem.message}`);
}
for (const error of compileErrors) console.error(`${error.location}: ${error.message}`);
for (const problem of commands.problems) {
  console.error(`${problem.location}: ${problem.message}`);
}
for (const block of skipped) {
  console.log(`skipped ${block.file}:${block.line}: ${block.skipReason ?? ''}`);
}
console.log(
  `docs: ${checked.length} TypeScript blocks compiled (${skipped.length} skipped), ${commands.checked} commands checked; ` +
    `${compileErrors.length} compile errors, ${commands.problems.length} command problems, ${markerProblems.length} marker problems` +
    ` (fixtures in ${relative(root, join(root, FIXTURE_DIR))}/)`,
);
if (compileErrors.length + commands.problems.length + markerProblems.length > 0) process.exit(1);
