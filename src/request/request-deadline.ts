import { type CallerWatch, Deadline } from '../deadline/deadline.js';
import type { ContextRequest } from './execution-context.js';
import { requestSlot } from './request-slot.js';

const deadlines = requestSlot<Deadline>('deadline');

interface ServerResponseLike {
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

function isServerResponse(value: unknown): value is ServerResponseLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { once?: unknown }).once === 'function' &&
    typeof (value as { removeListener?: unknown }).removeListener === 'function'
  );
}

/** Node's response under an Express response (itself) or a Fastify reply (`raw`). */
function serverResponseOf(response: object | undefined): ServerResponseLike | undefined {
  if (response === undefined) return undefined;
  const raw = (response as { raw?: unknown }).raw;
  if (isServerResponse(raw)) return raw;
  return isServerResponse(response) ? response : undefined;
}

/**
 * The response's `close` tells both ends: answered (`writableFinished`) or abandoned by the client
 * (connection closed first). Only subscribed once upstream work asks for the deadline's signal.
 */
function watchResponse(response: ServerResponseLike): CallerWatch {
  return (deadline) => {
    if (response.writableFinished === true) return noop;
    if (response.destroyed === true) {
      deadline.cancel();
      return noop;
    }
    const onClose = (): void => {
      if (response.writableFinished === true) deadline.dispose();
      else deadline.cancel();
    };
    response.once('close', onClose);
    return () => response.removeListener('close', onClose);
  };
}

function noop(): void {}

/**
 * The one deadline of a request, shared by every guard and resolver working on it (the resolvers
 * of one GraphQL request included): created by the first that needs it, with the tenant's
 * `http.deadlineMs`, and kept on the request at once. The client closing the connection cancels
 * it. A WebSocket message has one of its own: a deadline kept for the connection would run out
 * while it lives.
 */
export function requestDeadlineOf(found: ContextRequest, budgetMs: number): Deadline {
  let deadline = deadlines.get(found.deadlineHolder);
  if (deadline === undefined) {
    const response = serverResponseOf(found.response);
    deadline = new Deadline(budgetMs, response === undefined ? undefined : watchResponse(response));
    deadlines.set(found.deadlineHolder, deadline);
  }
  return deadline;
}

/**
 * `requestDeadlineOf` for work that usually waits for nothing (the authentication: a JWT checked
 * with cached keys and an in-memory replay cache): its budget counts from now all the same, but
 * it is kept on the request, and the client's connection watched, only once something waits.
 * Its signal asked for keeps it (a JWKS refetch, Kratos); a caller that waits without asking
 * (the replay store) calls `keepRequestDeadline`. Until then nothing else can have a deadline for
 * this request, and one never kept cannot have been waited on: a guard that needs one later makes
 * it then. Keeping it and finding the response to watch on every request cost, on Express, about
 * as much as everything else a token resent with replay off costs.
 */
export function pendingRequestDeadline(found: ContextRequest, budgetMs: number): Deadline {
  const kept = deadlines.get(found.deadlineHolder);
  if (kept !== undefined) return kept;
  return new Deadline(budgetMs, (deadline) => {
    keepRequestDeadline(found, deadline);
    const response = serverResponseOf(found.response);
    return response === undefined ? noop : watchResponse(response)(deadline);
  });
}

/** Keeps a deadline from `pendingRequestDeadline` on its request, for the guards after. */
export function keepRequestDeadline(found: ContextRequest, deadline: Deadline): void {
  if (deadlines.get(found.deadlineHolder) === undefined)
    deadlines.set(found.deadlineHolder, deadline);
}
