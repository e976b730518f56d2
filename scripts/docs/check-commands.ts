/**
 * The commands the docs tell a reader to run, checked against the repository: `npm run X`,
 * `npm test` and `npm start` need the script in the package.json npm would use (the nearest one
 * up from the working directory), `node FILE`, `bash FILE`, `tsx FILE` and a bare `scripts/...`
 * need the file, `npx BIN` needs the binary in node_modules/.bin. Commands run from the
 * repository root; `cd DIR` on a line of its own moves the rest of the block, `cd DIR && ...`
 * the rest of its line. Other programs (curl, docker, go, jq) are not ours to check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CLI_COMMANDS } from '../../src/cli/commands.js';
import type { CodeBlock } from './markdown-blocks.js';

/** The package's own binary (package.json `bin`), which is not linked into its node_modules. */
const OWN_BIN = 'nestjs-ory-iam';

export const SHELL_LANGUAGES: readonly string[] = ['sh', 'bash', 'shell'];

export interface CommandProblem {
  readonly location: string;
  readonly message: string;
}

/** npm subcommands that install or inspect packages rather than run a script of ours. */
const NPM_PACKAGE_COMMANDS = ['install', 'i', 'ci', 'add', 'uninstall', 'pack', 'init', 'view'];
const NPM_SCRIPT_ALIASES: Readonly<Record<string, string>> = {
  test: 'test',
  t: 'test',
  start: 'start',
  stop: 'stop',
  restart: 'restart',
};
/** Node options followed by a value (`--import tsx`), so the value is not taken for the script. */
const NODE_OPTIONS_WITH_VALUE = [
  '--import',
  '-r',
  '--require',
  '--loader',
  '--experimental-loader',
];
const SEPARATORS = ['&&', '||', ';', '|', '&', '(', ')'];
const INLINE_COMMAND = /`((?:npm|npx|node|bash|tsx) [^`]+)`/g;

/** Shell words and separators of one line; quotes grouped, a `#` comment dropped. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  const flush = () => {
    if (word !== '') words.push(word);
    word = '';
  };
  for (let index = 0; index < line.length; index += 1) {
    const char = line.charAt(index);
    const pair = line.slice(index, index + 2);
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && word === '') {
      break;
    } else if (/\s/.test(char)) {
      flush();
    } else if (pair === '&&' || pair === '||') {
      flush();
      words.push(pair);
      index += 1;
    } else if (SEPARATORS.includes(char)) {
      flush();
      words.push(char);
    } else {
      word += char;
    }
  }
  flush();
  return words;
}

/** Splits words at separators; leading `NAME=value` assignments are dropped. */
function segmentsOf(words: readonly string[]): string[][] {
  const segments: string[][] = [[]];
  for (const word of words) {
    if (SEPARATORS.includes(word)) segments.push([]);
    else segments[segments.length - 1]?.push(word);
  }
  return segments
    .map((segment) => {
      const start = segment.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
      return start === -1 ? [] : segment.slice(start);
    })
    .filter((segment) => segment.length > 0);
}

interface Scripts {
  readonly file: string;
  readonly names: readonly string[];
}

class CommandChecker {
  checked = 0;
  readonly problems: CommandProblem[] = [];

  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The package.json npm would read from `cwd`: the nearest one up, within the repository. */
  private scriptsFor(cwd: string): Scripts | undefined {
    for (let dir = cwd; dir.startsWith(this.root); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const { scripts = {} } = JSON.parse(readFileSync(file, 'utf8')) as {
          scripts?: Record<string, string>;
        };
        return { file: relative(this.root, file), names: Object.keys(scripts) };
      }
      if (dir === dirname(dir)) break;
    }
    return undefined;
  }

  private requireScript(location: string, command: string, name: string, cwd: string): void {
    this.checked += 1;
    const scripts = this.scriptsFor(cwd);
    if (scripts === undefined) {
      this.problems.push({ location, message: `\`${command}\`: no package.json above ${cwd}` });
    } else if (!scripts.names.includes(name)) {
      this.problems.push({
        location,
        message: `\`${command}\`: ${scripts.file} has no script '${name}' (it has: ${scripts.names.join(', ')})`,
      });
    }
  }

  private requireFile(location: string, command: string, path: string | undefined, cwd: string) {
    // A placeholder (`<app>`, `$DIR`) is the reader's to fill in.
    if (path === undefined || path.startsWith('-') || /[$<]/.test(path)) return;
    this.checked += 1;
    if (!existsSync(resolve(cwd, path))) {
      this.problems.push({
        location,
        message: `\`${command}\`: ${relative(this.root, resolve(cwd, path))} does not exist`,
      });
    }
  }

  private checkNpm(location: string, command: string, args: readonly string[], cwd: string) {
    const [sub, ...rest] = args;
    if (sub === undefined || NPM_PACKAGE_COMMANDS.includes(sub)) return;
    const alias = NPM_SCRIPT_ALIASES[sub];
    if (alias !== undefined) return this.requireScript(location, command, alias, cwd);
    if (sub === 'run' || sub === 'run-script') {
      const name = rest.find((word) => !word.startsWith('-'));
      if (name !== undefined) this.requireScript(location, command, name, cwd);
    }
  }

  private checkNpx(location: string, command: string, args: readonly string[], cwd: string) {
    const bin = args.find((word) => !word.startsWith('-'));
    if (bin === undefined) return;
    if (bin === OWN_BIN)
      return this.checkOwnCli(location, command, args.slice(args.indexOf(bin) + 1));
    this.checked += 1;
    if (!existsSync(join(this.root, 'node_modules/.bin', bin))) {
      this.problems.push({
        location,
        message: `\`${command}\`: '${bin}' is not a binary of the repository's devDependencies`,
      });
      return;
    }
    // The files or folders handed to the tool (test paths, scripts) must exist too.
    for (const word of args.slice(args.indexOf(bin) + 1)) {
      if (/[/\\]|\.(ts|mjs|js)$/.test(word) && !word.startsWith('-')) {
        this.requireFile(location, command, word, cwd);
      }
    }
  }

  /** The library's own CLI: the command and every `--option` must be ones it accepts. */
  private checkOwnCli(location: string, command: string, args: readonly string[]) {
    this.checked += 1;
    const [name] = args;
    const options = name === undefined ? undefined : CLI_COMMANDS[name];
    if (options === undefined) {
      this.problems.push({
        location,
        message: `\`${command}\`: ${OWN_BIN} has no command '${name ?? ''}' (it has: ${Object.keys(CLI_COMMANDS).join(', ')})`,
      });
      return;
    }
    for (const word of args) {
      const option = /^--([^=]+)/.exec(word)?.[1];
      if (option !== undefined && !Object.hasOwn(options, option)) {
        this.problems.push({
          location,
          message: `\`${command}\`: ${OWN_BIN} ${name} has no option --${option}`,
        });
      }
    }
  }

  private checkNode(location: string, command: string, args: readonly string[], cwd: string) {
    for (let index = 0; index < args.length; index += 1) {
      const word = args[index] ?? '';
      if (word === '-e' || word === '--eval' || word === '-p') return;
      if (NODE_OPTIONS_WITH_VALUE.includes(word)) index += 1;
      else if (!word.startsWith('-')) return this.requireFile(location, command, word, cwd);
    }
  }

  /** One command; answers the working directory for what follows it on the line. */
  check(location: string, segment: readonly string[], cwd: string): string {
    const [program = '', ...args] = segment;
    const command = segment.join(' ');
    if (program === 'cd') return resolve(cwd, args[0] ?? '.');
    if (program === 'npm') this.checkNpm(location, command, args, cwd);
    else if (program === 'npx') this.checkNpx(location, command, args, cwd);
    else if (program === 'node') this.checkNode(location, command, args, cwd);
    else if (program === 'bash' || program === 'sh' || program === 'tsx') {
      this.requireFile(
        location,
        command,
        args.find((word) => !word.startsWith('-')),
        cwd,
      );
    } else if (/^\.{0,2}\/|^scripts\//.test(program)) {
      this.requireFile(location, command, program, cwd);
    }
    return cwd;
  }

  /** A line of a shell block or an inline command; answers the block's directory after it. */
  line(location: string, text: string, blockCwd: string): string {
    const segments = segmentsOf(shellWords(text));
    const [first] = segments;
    if (segments.length === 1 && first?.[0] === 'cd') return this.check(location, first, blockCwd);
    let cwd = blockCwd;
    for (const segment of segments) cwd = this.check(location, segment, cwd);
    return blockCwd;
  }
}

/** Shell lines with `\` continuations joined, each with its 0-based offset in the block. */
function logicalLines(code: string): { offset: number; text: string }[] {
  const lines: { offset: number; text: string }[] = [];
  let pending: { offset: number; text: string } | undefined;
  code.split('\n').forEach((line, offset) => {
    const current = pending ?? { offset, text: '' };
    current.text += line.replace(/\\$/, ' ');
    pending = line.endsWith('\\') ? current : undefined;
    if (pending === undefined) lines.push(current);
  });
  if (pending !== undefined) lines.push(pending);
  return lines;
}

/** Every shell block line and inline `npm ...`/`node ...` span of the docs, checked. */
export function commandProblems(
  root: string,
  blocks: readonly CodeBlock[],
  texts: ReadonlyMap<string, string>,
): { checked: number; problems: CommandProblem[] } {
  const checker = new CommandChecker(root);
  for (const block of blocks) {
    if (!SHELL_LANGUAGES.includes(block.language) || block.skipReason !== undefined) continue;
    let cwd = root;
    for (const { offset, text } of logicalLines(block.code)) {
      cwd = checker.line(`${block.file}:${block.line + offset}`, text, cwd);
    }
  }
  for (const [file, text] of texts) {
    let inFence = false;
    text.split('\n').forEach((line, index) => {
      if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
      if (inFence) return;
      for (const match of line.matchAll(INLINE_COMMAND)) {
        checker.line(`${file}:${index + 1}`, match[1] ?? '', root);
      }
    });
  }
  return { checked: checker.checked, problems: checker.problems };
}
