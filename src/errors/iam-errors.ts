import { HttpException } from '@nestjs/common';
import {
  type ForbiddenCode,
  IAM_ERROR_MESSAGES,
  type IamErrorCode,
  statusForCode,
  type UnauthorizedCode,
  type UnavailableCode,
} from './error-codes.js';

/** The JSON body of every error the library answers with. */
export interface IamErrorBody {
  statusCode: 401 | 403 | 503;
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
 * 503: an identity dependency (JWKS, Kratos, Keto, replay store) could not answer, or the replay
 * store had no room (`auth.replay_capacity_exceeded`). Never an allow.
 */
export class IamUpstreamUnavailableError extends IamHttpError {
  /** Seconds the client should wait; sent as the `Retry-After` header. */
  readonly retryAfterSeconds: number;

  constructor(
    message?: string,
    retryAfterSeconds = 5,
    code: UnavailableCode = 'auth.upstream_unavailable',
  ) {
    super(code, message);
    this.name = 'IamUpstreamUnavailableError';
    this.retryAfterSeconds = retryAfterSeconds;
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
    default:
      return new IamUpstreamUnavailableError(message, undefined, code as UnavailableCode);
  }
}
