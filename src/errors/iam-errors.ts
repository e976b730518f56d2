import { HttpException } from '@nestjs/common';
import {
  type BadRequestCode,
  type ForbiddenCode,
  IAM_ERROR_MESSAGES,
  type IamErrorCode,
  type IamErrorStatus,
  statusForCode,
  type UnauthorizedCode,
  type UnavailableCode,
} from './error-codes.js';

/** The JSON body of every error the library answers with. */
export interface IamErrorBody {
  statusCode: IamErrorStatus;
  code: IamErrorCode;
  message: string;
}

/**
 * Base of the HTTP errors. Extends Nest's `HttpException`, so applications need no filter:
 * the body is `{ statusCode, code, message }` and never carries a token, cookie or stack.
 */
export abstract class IamHttpError extends HttpException {
  readonly code: IamErrorCode;

  protected constructor(code: IamErrorCode, message?: string) {
    const statusCode = statusForCode(code);
    const body: IamErrorBody = {
      statusCode,
      code,
      message: message ?? IAM_ERROR_MESSAGES[code],
    };
    super(body, statusCode);
    this.code = code;
  }

  /**
   * graphql-js copies a resolver error's `extensions` into the GraphQL error it reports, so a
   * GraphQL client gets the same stable `code` and status as an HTTP one (Mercurius shows them
   * as they are; Nest's Apollo driver also puts the whole body under `originalError`).
   */
  get extensions(): { readonly code: IamErrorCode; readonly statusCode: number } {
    return { code: this.code, statusCode: this.getStatus() };
  }
}

/** 401: the caller did not prove who it is. */
export class IamUnauthorizedError extends IamHttpError {
  constructor(code: UnauthorizedCode, message?: string) {
    super(code, message);
    this.name = 'IamUnauthorizedError';
  }
}

/** 403: the caller is known but not allowed. */
export class IamForbiddenError extends IamHttpError {
  constructor(code: ForbiddenCode, message?: string) {
    super(code, message);
    this.name = 'IamForbiddenError';
  }
}

/**
 * 400: an argument a service refuses before asking Ory, such as an id that is not a UUID and so
 * cannot name anything in Kratos (and could rewrite the admin URL it would be put in).
 */
export class IamBadRequestError extends IamHttpError {
  constructor(code: BadRequestCode, message?: string) {
    super(code, message);
    this.name = 'IamBadRequestError';
  }
}

/**
 * 503: an identity dependency (JWKS, Kratos, Keto, replay store) could not answer, or the replay
 * store had no room (`auth.replay_capacity_exceeded`) or lost its records after the token was
 * issued (`auth.replay_state_lost`). Never an allow.
 */
export class IamUpstreamUnavailableError extends IamHttpError {
  /** Seconds the client should wait; sent as the `Retry-After` header. */
  readonly retryAfterSeconds: number;
  /**
   * For the operator, not the client (it names internal hosts): what failed, e.g.
   * `Keto check: ECONNREFUSED 127.0.0.1:4466` or `malformed answer from Keto (...)`. Goes to the
   * audit event's `detail.reason`, never into the response body.
   */
  readonly reason: string | undefined;

  constructor(
    message?: string,
    retryAfterSeconds = 5,
    details: { readonly reason?: string; readonly code?: UnavailableCode } = {},
  ) {
    super(details.code ?? 'auth.upstream_unavailable', message);
    this.name = 'IamUpstreamUnavailableError';
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = details.reason;
  }
}

/** Thrown at boot when the module options are invalid; lists every problem by path. */
export class IamConfigurationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid IamModule configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'IamConfigurationError';
    this.problems = Object.freeze([...problems]);
  }
}

/** Builds the right error class for a code from the one table. */
export function iamErrorFor(code: IamErrorCode, message?: string): IamHttpError {
  switch (statusForCode(code)) {
    case 401:
      return new IamUnauthorizedError(code as UnauthorizedCode, message);
    case 403:
      return new IamForbiddenError(code as ForbiddenCode, message);
    case 400:
      return new IamBadRequestError(code as BadRequestCode, message);
    default:
      return new IamUpstreamUnavailableError(message, undefined, { code: code as UnavailableCode });
  }
}
