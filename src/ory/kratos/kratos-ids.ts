import { IamBadRequestError } from '../../errors/iam-errors.js';

/** What an id names in Kratos; it appears in the error message, never the id itself. */
export type KratosIdKind = 'identity' | 'session' | 'flow';

declare const checkedId: unique symbol;

/** A string proven to be a Kratos id (a UUID), the only kind of value put in a Kratos URL. */
export type KratosId = string & { readonly [checkedId]: true };

/**
 * Kratos ids (identities, sessions, flows, courier messages) are UUIDs. Checked before any URL is
 * built: `@ory/client` percent-encodes path parameters but leaves `.` alone, so `..` or `.` would
 * collapse the admin path (`/admin/identities/../sessions` is `/admin/sessions`, every session).
 */
const KRATOS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id, once proven to be a UUID; otherwise a 400 `request.invalid_id`, thrown before any call.
 * The message names the kind of id, not its value (which may be anything a client sent).
 */
export function kratosIdOf(kind: KratosIdKind, value: unknown): KratosId {
  if (typeof value !== 'string' || !KRATOS_ID.test(value)) {
    throw new IamBadRequestError('request.invalid_id', `The ${kind} id must be a UUID.`);
  }
  return value as KratosId;
}
