import {
  BadRequestException,
  ForbiddenException,
  GoneException,
  HttpException,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { parse as parseCookieHeader } from 'cookie';
import { IamForbiddenError, IamUnauthorizedError } from '../../errors/iam-errors.js';
import type {
  IamFlow,
  IamFlowContinueWith,
  IamFlowMessage,
  IamFlowMode,
  IamFlowNode,
  IamFlowType,
} from './flow-types.js';
import { isJsonObject, type JsonObject, optionalDate, optionalString } from './json-values.js';

function objectOr(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

function messagesOf(value: unknown): IamFlowMessage[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((message) => ({
    id: typeof message.id === 'number' ? message.id : 0,
    type: typeof message.type === 'string' ? message.type : 'info',
    text: typeof message.text === 'string' ? message.text : '',
    context: isJsonObject(message.context) ? message.context : undefined,
  }));
}

function nodesOf(value: unknown): IamFlowNode[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((node) => ({
    type: typeof node.type === 'string' ? node.type : '',
    group: typeof node.group === 'string' ? node.group : '',
    attributes: objectOr(node.attributes),
    messages: messagesOf(node.messages),
    meta: objectOr(node.meta),
  }));
}

/** Whether a Kratos answer is a flow (a 400 with a flow is a validation failure). */
export function isFlowBody(value: unknown): value is JsonObject {
  return isJsonObject(value) && typeof value.id === 'string' && isJsonObject(value.ui);
}

/** Maps a Kratos flow body to an {@link IamFlow}; a body that is not a flow is an outage. */
export function flowFromKratos(
  type: IamFlowType,
  mode: IamFlowMode,
  value: unknown,
  setCookies: readonly string[] = [],
): IamFlow {
  if (!isFlowBody(value)) {
    throw new KratosFlowShapeError(type);
  }
  const ui = objectOr(value.ui);
  const nodes = nodesOf(ui.nodes);
  const csrf = nodes.find((node) => node.attributes.name === 'csrf_token')?.attributes.value;
  return {
    id: String(value.id),
    type,
    mode,
    expiresAt: optionalDate(value.expires_at),
    issuedAt: optionalDate(value.issued_at),
    state: optionalString(value.state),
    returnTo: optionalString(value.return_to),
    csrfToken: optionalString(csrf),
    ui: {
      action: typeof ui.action === 'string' ? ui.action : '',
      method: typeof ui.method === 'string' ? ui.method : '',
      nodes,
      messages: messagesOf(ui.messages),
    },
    setCookies,
  };
}

/** Every `error` message of a flow: the form's, then each field's. */
export function errorMessagesOf(flow: IamFlow): IamFlowMessage[] {
  return [...flow.ui.messages, ...flow.ui.nodes.flatMap((node) => node.messages)].filter(
    (message) => message.type === 'error',
  );
}

export function continueWithOf(value: unknown): IamFlowContinueWith[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** The session token a native recovery hands over in `continue_with` (`set_ory_session_token`). */
export function sessionTokenOfContinueWith(
  continueWith: readonly IamFlowContinueWith[],
): string | undefined {
  for (const item of continueWith) {
    if (item.action === 'set_ory_session_token') return optionalString(item.ory_session_token);
  }
  return undefined;
}

/** Kratos answered 2xx with a body that is not what the operation returns. */
export class KratosFlowShapeError extends Error {
  constructor(what: string) {
    super(`Kratos returned an unexpected body for a ${what} flow.`);
    this.name = 'KratosFlowShapeError';
  }
}

function errorIdOf(body: unknown): string | undefined {
  if (!isJsonObject(body)) return undefined;
  const error = isJsonObject(body.error) ? body.error : body;
  return optionalString(error.id);
}

function flowError(exception: new (body: object) => HttpException, status: number) {
  return (code: string, message: string): HttpException =>
    new exception({ statusCode: status, code, message });
}

const badRequest = flowError(BadRequestException, 400);
const forbidden = flowError(ForbiddenException, 403);
const notFound = flowError(NotFoundException, 404);
const gone = flowError(GoneException, 410);
const unprocessable = flowError(UnprocessableEntityException, 422);

/** The HTTP error a body that cannot be submitted is. */
export function invalidBodyError(): HttpException {
  return badRequest('flow.invalid_body', 'The flow body must be a JSON object.');
}

/** The HTTP error for a flow id that cannot name a Kratos flow. */
export function flowNotFoundError(): HttpException {
  return notFound('flow.not_found', 'The flow does not exist.');
}

/**
 * What a Kratos 4xx that is not a validation failure means to the caller: stable codes, Kratos'
 * own wording never copied (it can echo submitted values).
 */
export function flowFailure(status: number, body: unknown): HttpException {
  const errorId = errorIdOf(body);
  switch (errorId) {
    case 'self_service_flow_expired':
      return gone('flow.expired', 'The flow has expired; start a new one.');
    case 'security_csrf_violation':
      return forbidden(
        'flow.csrf_violation',
        'The CSRF cookie or token is missing or does not match the flow.',
      );
    case 'session_already_available':
      return badRequest('flow.session_already_available', 'A session already exists.');
    case 'session_aal2_required':
    case 'session_aal1_required':
      return new IamForbiddenError('authz.aal.insufficient');
    case 'session_refresh_required':
      return forbidden(
        'flow.session_refresh_required',
        'This change needs a recent login; log in again (refresh) first.',
      );
    case 'session_inactive':
    case 'no_active_session':
      return new IamUnauthorizedError('auth.failure.session_inactive');
    case 'self_service_flow_return_to_forbidden':
      return badRequest('flow.return_to_forbidden', 'The return address is not allowed.');
    case 'self_service_flow_disabled':
      return notFound('flow.disabled', 'This flow is not enabled.');
    default:
      break;
  }
  switch (status) {
    case 401:
      return new IamUnauthorizedError('auth.failure.session_inactive');
    case 403:
      return forbidden('flow.forbidden', 'Kratos refused the flow.');
    case 404:
      return flowNotFoundError();
    case 410:
      return gone('flow.expired', 'The flow has expired; start a new one.');
    case 422:
      return unprocessable('flow.unprocessable', 'Kratos could not process the flow.');
    default:
      return badRequest('flow.rejected', 'Kratos rejected the flow request.');
  }
}

/** The address of a 422 `browser_location_change_required` answer. */
export function redirectOf(body: unknown): string | undefined {
  return isJsonObject(body) ? optionalString(body.redirect_browser_to) : undefined;
}

const FORWARDED_COOKIE_PREFIXES = ['csrf_token', 'ory_kratos_continuity'];

/**
 * The part of a `Cookie` header Kratos needs: its CSRF cookies and the tenant's session cookie.
 * Everything else the browser sent (the application's own cookies) stays here. Values are kept
 * exactly as the browser sent them (no decoding), so Kratos receives the bytes it set.
 */
export function kratosCookies(cookieHeader: string | undefined, sessionCookieName: string) {
  if (cookieHeader === undefined) return undefined;
  const kept = Object.entries(parseCookieHeader(cookieHeader, { decode: (value) => value }))
    .filter(
      ([name, value]) =>
        value !== undefined &&
        (name === sessionCookieName ||
          FORWARDED_COOKIE_PREFIXES.some((prefix) => name.startsWith(prefix))),
    )
    .map(([name, value]) => `${name}=${String(value)}`);
  return kept.length === 0 ? undefined : kept.join('; ');
}

/** The `Set-Cookie` values of an axios response. */
export function setCookiesOf(headers: unknown): string[] {
  if (!isJsonObject(headers)) return [];
  const raw = headers['set-cookie'];
  if (Array.isArray(raw)) return raw.filter((value): value is string => typeof value === 'string');
  return typeof raw === 'string' ? [raw] : [];
}
