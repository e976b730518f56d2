import { invalidIdentityRequest } from './identity-errors.js';

/** Kratos' default page of identities, and the largest the library asks for. */
export const DEFAULT_IDENTITY_PAGE_SIZE = 250;
export const MAX_IDENTITY_PAGE_SIZE = 1_000;

/*
 * Kratos lists identities with keyset pagination: the next page's `page_token` comes in the
 * `Link` header (`<...?page_size=2&page_token=...>; rel="next"`), absent on the last page. The
 * library wraps that token in its own, so a token from elsewhere is a 400 here instead of a
 * confusing answer from Kratos, and callers never handle Kratos' wire format.
 */

const TOKEN_PREFIX = 'i1.';

/** Kratos' page token inside one of the library's tokens; undefined for the first page. */
export function kratosPageTokenOf(pageToken: string | undefined): string | undefined {
  if (pageToken === undefined) return undefined;
  const inner = pageToken.startsWith(TOKEN_PREFIX)
    ? Buffer.from(pageToken.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')
    : '';
  if (inner === '' || !/^[\x21-\x7e]+$/.test(inner)) {
    throw invalidIdentityRequest('Invalid identity page token.');
  }
  return inner;
}

/** The library's token for a Kratos page token. */
export function identityPageTokenOf(kratosToken: string): string {
  return TOKEN_PREFIX + Buffer.from(kratosToken, 'utf8').toString('base64url');
}

/** The page size asked for, within what the library lets Kratos serve in one answer. */
export function identityPageSizeOf(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_IDENTITY_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_IDENTITY_PAGE_SIZE) {
    throw invalidIdentityRequest(
      `pageSize must be an integer from 1 to ${MAX_IDENTITY_PAGE_SIZE}.`,
    );
  }
  return pageSize;
}

function linkHeaderOf(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const raw = (headers as Record<string, unknown>).link;
  if (typeof raw === 'string') return raw;
  return Array.isArray(raw) ? raw.filter((part) => typeof part === 'string').join(',') : undefined;
}

/** The `page_token` of the `rel="next"` link of a Kratos listing; undefined on the last page. */
export function nextKratosPageToken(headers: unknown): string | undefined {
  const link = linkHeaderOf(headers);
  if (link === undefined) return undefined;
  for (const match of link.matchAll(/<([^>]*)>\s*;\s*rel="?next"?/g)) {
    const target = match[1];
    if (target === undefined) continue;
    let token: string | null;
    try {
      token = new URL(target, 'http://kratos.invalid').searchParams.get('page_token');
    } catch {
      token = null;
    }
    if (token !== null && token !== '') return token;
  }
  return undefined;
}
