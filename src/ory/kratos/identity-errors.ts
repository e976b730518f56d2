import {
  BadRequestException,
  ConflictException,
  type HttpException,
  NotFoundException,
} from '@nestjs/common';
import { OryResponseError } from '../ory-call.js';
import { adminCallFailure } from './admin-errors.js';
import { isJsonObject, optionalString } from './json-values.js';

/** The stable `code` of every error `IdentityService` throws besides the library's 401/403/503. */
export type IamIdentityErrorCode =
  | 'identity.not_found'
  | 'identity.invalid'
  | 'identity.conflict'
  | 'identity.invalid_request';

function identityError(
  exception: new (body: object) => HttpException,
  statusCode: number,
  code: IamIdentityErrorCode,
  message: string,
): HttpException {
  return new exception({ statusCode, code, message });
}

/** 404 `identity.not_found`. */
export function identityNotFound(): HttpException {
  return identityError(NotFoundException, 404, 'identity.not_found', 'Identity not found.');
}

/** 400 `identity.invalid_request`: an argument the library refuses before asking Kratos. */
export function invalidIdentityRequest(message: string): HttpException {
  return identityError(BadRequestException, 400, 'identity.invalid_request', message);
}

/**
 * Kratos' explanation of a rejection (`error.reason`, else `error.message`), from an error
 * response body or one item of a batch answer.
 */
export function kratosReasonOf(body: unknown): string | undefined {
  if (!isJsonObject(body)) return undefined;
  const error = isJsonObject(body.error) ? body.error : body;
  return optionalString(error.reason) ?? optionalString(error.message);
}

/** What a Kratos 400 means for an operation: a rejected identity, or a bad argument. */
export type BadRequestMeaning = 'invalid' | 'invalid_request';

/**
 * What a failed identity admin call means to the caller. 404 is `identity.not_found`; 400 is what
 * `on400` says: `identity.invalid` for a rejected identity, carrying Kratos' reason (which may
 * repeat the submitted traits: this is an operator API and they are the caller's own), or
 * `identity.invalid_request`; 409 is `identity.conflict`. Everything else as for every admin call
 * (503). Ids never reach Kratos unless they are UUIDs, so a 400 is never about the id.
 */
export function identityCallFailure(
  operation: string,
  error: unknown,
  on400: BadRequestMeaning,
): unknown {
  if (!(error instanceof OryResponseError)) return error;
  if (error.status === 404) return identityNotFound();
  if (error.status === 400) {
    const reason = kratosReasonOf(error.body);
    return on400 === 'invalid'
      ? identityError(
          BadRequestException,
          400,
          'identity.invalid',
          reason ?? 'Kratos rejected the identity.',
        )
      : invalidIdentityRequest(reason ?? 'Kratos rejected the request.');
  }
  if (error.status === 409) {
    return identityError(
      ConflictException,
      409,
      'identity.conflict',
      'An identity with the same identifier already exists.',
    );
  }
  return adminCallFailure(operation, error, 'identity');
}
