import type { AccessRuleHandler, OathkeeperAccessRule } from './access-rule.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function handlerOf(value: unknown): AccessRuleHandler | undefined {
  if (!isRecord(value) || typeof value.handler !== 'string') return undefined;
  return isRecord(value.config)
    ? { handler: value.handler, config: value.config }
    : { handler: value.handler };
}

/**
 * Rules parsed from a file (an array of rules, as Oathkeeper's file repository holds them). A
 * malformed rule is a problem line, not an exception, so the check reports everything at once.
 */
export function readAccessRules(parsed: unknown): {
  rules: OathkeeperAccessRule[];
  problems: string[];
} {
  if (!Array.isArray(parsed))
    return { rules: [], problems: ['the rules file is not an array of rules'] };
  const rules: OathkeeperAccessRule[] = [];
  const problems: string[] = [];
  parsed.forEach((raw, index) => {
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id : `#${index}`;
    const match = isRecord(raw) ? raw.match : undefined;
    const upstream = isRecord(raw) ? raw.upstream : undefined;
    const authenticators =
      isRecord(raw) && Array.isArray(raw.authenticators) ? raw.authenticators.map(handlerOf) : [];
    const mutators =
      isRecord(raw) && Array.isArray(raw.mutators) ? raw.mutators.map(handlerOf) : [];
    const authorizer = isRecord(raw) ? handlerOf(raw.authorizer) : undefined;
    if (
      !isRecord(match) ||
      typeof match.url !== 'string' ||
      !Array.isArray(match.methods) ||
      !isRecord(upstream) ||
      typeof upstream.url !== 'string' ||
      authorizer === undefined ||
      authenticators.length === 0 ||
      authenticators.includes(undefined) ||
      mutators.includes(undefined)
    ) {
      problems.push(
        `rule "${id}" is not a complete access rule (id, upstream.url, match.url, match.methods, authenticators, authorizer, mutators)`,
      );
      return;
    }
    rules.push({
      id,
      upstream: { url: upstream.url },
      match: {
        url: match.url,
        methods: match.methods.map((method) => String(method).toUpperCase()),
      },
      authenticators: authenticators.filter((handler) => handler !== undefined),
      authorizer,
      mutators: mutators.filter((handler) => handler !== undefined),
    });
  });
  return { rules, problems };
}
