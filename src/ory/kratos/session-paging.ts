import { BadRequestException } from '@nestjs/common';

/** Kratos' default and largest page of an identity's sessions. */
export const DEFAULT_SESSION_PAGE_SIZE = 250;
export const MAX_SESSION_PAGE_SIZE = 1_000;

/*
 * Kratos (v1.3.1, and its source since) hands the 0-based page of its own `page_token` to a
 * 1-based paginator for this listing: following its `next` links repeats the first page and
 * never reaches the last one. The library therefore keeps its own token, the 1-based page number,
 * and asks with the `page` / `per_page` parameters, which Kratos passes through unchanged.
 */

/** The page a `pageToken` names: 1 for none. Throws BadRequestException for a token it did not issue. */
export function pageNumberOf(pageToken: string | undefined): number {
  if (pageToken === undefined) return 1;
  let page: unknown;
  try {
    page = (JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { page?: unknown })
      .page;
  } catch {
    page = undefined;
  }
  if (typeof page !== 'number' || !Number.isSafeInteger(page) || page < 1) {
    throw new BadRequestException('Invalid session page token.');
  }
  return page;
}

/** The token of a page number. */
export function pageTokenOf(page: number): string {
  return Buffer.from(JSON.stringify({ page }), 'utf8').toString('base64url');
}

/** The page size asked for, within what Kratos accepts. */
export function pageSizeOf(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_SESSION_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_SESSION_PAGE_SIZE) {
    throw new BadRequestException(
      `pageSize must be an integer from 1 to ${MAX_SESSION_PAGE_SIZE}.`,
    );
  }
  return pageSize;
}

/**
 * Whether a page after `page` exists: from Kratos' `X-Total-Count` when it sends one, else from
 * whether this page was full.
 */
export function hasNextPage(
  headers: unknown,
  page: number,
  pageSize: number,
  received: number,
): boolean {
  const raw =
    typeof headers === 'object' && headers !== null
      ? (headers as Record<string, unknown>)['x-total-count']
      : undefined;
  const total = typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(total) && total >= 0) return page * pageSize < total;
  return received >= pageSize;
}
