import { compileMatchUrl, type MatchingStrategy } from './match-pattern.js';

// Tried for a pattern whose own alternatives are not plain text (`<[^/]+>`, `<*>`, `<https?>`).
const GENERIC_HOSTS = ['localhost', '127.0.0.1', 'example.com', 'http', 'https', 'x', '1'];
const MAX_ORIGINS = 8;

/** The `<...>` groups of a `match.url` prefix and the literal text around them. */
function split(origin: string): Array<{ literal: string } | { pattern: string }> {
  const parts: Array<{ literal: string } | { pattern: string }> = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < origin.length; index += 1) {
    const char = origin[index];
    if (char === '<' && depth++ === 0) {
      parts.push({ literal: origin.slice(start, index) });
      start = index + 1;
    } else if (char === '>' && --depth === 0) {
      parts.push({ pattern: origin.slice(start, index) });
      start = index + 1;
    }
  }
  parts.push({ literal: origin.slice(start) });
  return parts;
}

/** Top-level alternatives written as text: `{a,b}` of a glob, `a|b` or `(?:a|b)` of a regexp. */
function alternativesOf(pattern: string, strategy: MatchingStrategy): string[] {
  const body =
    strategy === 'glob'
      ? /^\{([^{}]*)\}$/.exec(pattern)?.[1]?.split(',')
      : (/^\((?:\?:)?([^()]*)\)$/.exec(pattern)?.[1] ?? pattern).split('|');
  const meta = strategy === 'glob' ? /[*?[\]{}]/ : /[\^$.*+?()[\]{}|]/;
  return (body ?? [pattern])
    .filter((text) => !meta.test(text.replace(/\\./g, '')))
    .map((text) => text.replace(/\\(.)/g, '$1'));
}

/**
 * Concrete origins the `--origin` pattern matches, so the check can try real URLs against rules
 * however they spell their origin: each `<...>` group filled with its own alternatives when they
 * are plain text (`<{127.0.0.1,localhost}>` gives both), else with a common host name it
 * accepts. Throws when no value fits a group.
 */
export function sampleOrigins(origin: string, strategy: MatchingStrategy): string[] {
  let origins = [''];
  for (const part of split(origin)) {
    if ('literal' in part) {
      origins = origins.map((prefix) => `${prefix}${part.literal}`);
      continue;
    }
    const group = compileMatchUrl(`<${part.pattern}>`, strategy);
    const own = alternativesOf(part.pattern, strategy).filter((value) => group.test(value));
    const values =
      own.length > 0 ? own : GENERIC_HOSTS.filter((value) => group.test(value)).slice(0, 1);
    if (values.length === 0) {
      throw new Error(
        `cannot make a URL from the origin "${origin}": no host fits <${part.pattern}>; check it with a plain origin`,
      );
    }
    origins = origins
      .flatMap((prefix) => values.map((value) => `${prefix}${value}`))
      .slice(0, MAX_ORIGINS);
  }
  return origins;
}
