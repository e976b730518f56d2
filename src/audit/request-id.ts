/** Longest client-sent `X-Request-Id` an audit event carries. */
const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Letters, digits and `-_.:;=+/@`: UUIDs, hex and base64 ids, W3C trace ids, and AWS-style
 * `Root=1-...;Parent=...` all fit. No spaces, quotes, control characters or newlines, which a
 * client could use to forge lines in a text log.
 */
const REQUEST_ID = new RegExp(`^[A-Za-z0-9_.:;=+/@-]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/**
 * The `X-Request-Id` to put in an audit event: the client's value when it is 1 to 128 characters
 * from {@link REQUEST_ID}'s set, else undefined. An invalid id is dropped, not repaired: a cut or
 * cleaned id would match nothing in the other logs, and the header is the client's to fill.
 */
export function auditableRequestId(value: string | undefined): string | undefined {
  return value !== undefined && REQUEST_ID.test(value) ? value : undefined;
}
