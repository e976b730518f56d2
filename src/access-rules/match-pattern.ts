import type { PathSegment, RoutePath } from './route-path.js';

/** Oathkeeper's `access_rules.matching_strategy`; it must be the one its config names. */
export type MatchingStrategy = 'regexp' | 'glob';

const REGEXP_META = /[\\^$.*+?()[\]{}|]/g;
const GLOB_META = /[\\*?[\]{},]/g;

/** Text matched literally, by Oathkeeper's regexp engine and by JavaScript's alike. */
function escapeRegExpText(text: string): string {
  return text.replace(REGEXP_META, '\\$&');
}

interface Trie {
  end: boolean;
  readonly children: Map<string, Trie>;
}

/**
 * A segment that is none of the words, without lookahead: RE2 syntax has none, and Oathkeeper
 * compiles patterns with its regexp engine's RE2 option. At each character of a word either differ from every word going on there, or follow
 * one, and stop early only where no word ends.
 */
function notAnyOf(node: Trie, root: boolean): string {
  const chars = [...node.children.keys()];
  const alternatives = [
    chars.length === 0
      ? '[^/]+'
      : `[^/${chars.map((char) => char.replace(/[\\\]^-]/g, '\\$&')).join('')}][^/]*`,
    ...chars.map(
      (char) => `${escapeRegExpText(char)}${notAnyOf(node.children.get(char) as Trie, false)}`,
    ),
  ];
  const body =
    alternatives.length === 1 ? (alternatives[0] as string) : `(?:${alternatives.join('|')})`;
  if (root || node.end) return body;
  return alternatives.length === 1 ? `(?:${body})?` : `${body}?`;
}

function trieOf(words: readonly string[]): Trie {
  const root: Trie = { end: false, children: new Map() };
  for (const word of words) {
    let node = root;
    for (const char of word) {
      let next = node.children.get(char);
      if (next === undefined) {
        next = { end: false, children: new Map() };
        node.children.set(char, next);
      }
      node = next;
    }
    node.end = true;
  }
  return root;
}

function regexpSegment(segment: PathSegment): string {
  if (segment.kind === 'literal') return escapeRegExpText(segment.value);
  if (segment.kind === 'splat') return '.+';
  return segment.except === undefined ? '[^/]+' : notAnyOf(trieOf(segment.except), true);
}

// Oathkeeper's glob separators are `.` and `/`: `*` stops at both, so a param matches no value
// with a dot in it (the regexp strategy has no such limit).
function globSegment(segment: PathSegment): string {
  if (segment.kind === 'literal') return segment.value.replace(GLOB_META, '\\$&');
  if (segment.kind === 'param' && segment.except !== undefined) {
    throw new Error('a glob cannot leave values out of a param: use the regexp strategy');
  }
  return segment.kind === 'param' ? '*' : '**';
}

/**
 * The `match.url` of a rule for these paths: the origin verbatim, then one `<...>` pattern that
 * matches exactly the paths (an alternation when there are several).
 */
export function matchUrl(
  origin: string,
  paths: readonly RoutePath[],
  strategy: MatchingStrategy,
): string {
  const render = strategy === 'regexp' ? regexpSegment : globSegment;
  const rendered = paths.map(
    (path) => path.map((segment) => `/${render(segment)}`).join('') || '/',
  );
  if (rendered.length === 1 && !paths[0]?.some((segment) => segment.kind !== 'literal')) {
    return `${origin}${rendered[0]}`;
  }
  const joined =
    strategy === 'regexp'
      ? rendered.length === 1
        ? rendered[0]
        : `(?:${rendered.join('|')})`
      : rendered.length === 1
        ? rendered[0]
        : `{${rendered.join(',')}}`;
  return `${origin}<${joined}>`;
}

/** A glob of gobwas/glob (what Oathkeeper uses) as a JavaScript regular expression. */
function globToRegExp(glob: string): string {
  let out = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] as string;
    if (char === '\\') {
      out += escapeRegExpText(glob[index + 1] ?? '');
      index += 1;
    } else if (char === '*') {
      if (glob[index + 1] === '*') {
        out += '.*';
        index += 1;
      } else out += '[^./]*';
    } else if (char === '?') out += '[^./]';
    else if (char === '{') out += '(?:';
    else if (char === '}') out += ')';
    else if (char === ',') out += '|';
    else if (char === '[') {
      const end = glob.indexOf(']', index);
      const body = glob.slice(index + 1, end);
      out += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      index = end;
    } else out += escapeRegExpText(char);
  }
  return out;
}

/**
 * What a rule's `match.url` matches, as Oathkeeper reads it: text outside `<...>` literally, the
 * inside as a regular expression or a glob, the whole URL anchored.
 */
export function compileMatchUrl(url: string, strategy: MatchingStrategy): RegExp {
  let out = '';
  let depth = 0;
  let start = 0;
  let literalStart = 0;
  for (let index = 0; index < url.length; index += 1) {
    if (url[index] === '<') {
      if (depth === 0) {
        out += escapeRegExpText(url.slice(literalStart, index));
        start = index + 1;
      }
      depth += 1;
    } else if (url[index] === '>') {
      depth -= 1;
      if (depth < 0) throw new Error(`unbalanced ">" in match.url "${url}"`);
      if (depth === 0) {
        const inner = url.slice(start, index);
        out += strategy === 'regexp' ? `(${inner})` : `(?:${globToRegExp(inner)})`;
        literalStart = index + 1;
      }
    }
  }
  if (depth !== 0) throw new Error(`unbalanced "<" in match.url "${url}"`);
  out += escapeRegExpText(url.slice(literalStart));
  return new RegExp(`^${out}$`);
}
