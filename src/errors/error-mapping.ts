import { HttpException, Logger } from '@nestjs/common';
import type { IamRequest } from '../request/iam-request.js';
import type { IamHttpError } from './iam-errors.js';

/** What `errors.map` receives next to the error: the request it answers. */
export interface IamErrorMapContext {
  /** The request being refused (method, path, headers such as `X-Request-Id`). */
  readonly request: IamRequest;
}

/**
 * Turns one of the library's errors into the app's own: an `HttpException` (the app's exception
 * class) with the same status, or a response body (an object or a string) sent with the library's
 * status, or `undefined` to keep the library's error. It runs synchronously on the request path.
 */
export type IamErrorMapper = (
  error: IamHttpError,
  context: IamErrorMapContext,
) => HttpException | object | string | undefined;

const logger = new Logger('IamErrors');

/**
 * Errors already answered as themselves: a guard's error that the mapper kept (or failed on)
 * reaches `IamExceptionFilter` next, which must not ask (and log) the mapper a second time.
 */
const kept = new WeakSet<IamHttpError>();

/**
 * The error to answer with: what `map` made of `error`, or `error` itself when there is no
 * mapper, it answered `undefined`, or it misbehaved. A mapper that throws, answers another status
 * (a 200 would open the door), answers asynchronously, or answers something that cannot be sent
 * as JSON is a bug in the app: it is logged (by kind, never with request data) and the library's
 * own 401/403/503 goes out instead, never a 500.
 */
export function mapIamError(
  error: IamHttpError,
  map: IamErrorMapper | undefined,
  request: IamRequest,
): HttpException {
  if (map === undefined || kept.has(error)) return error;
  let result: unknown;
  try {
    result = map(error, { request });
  } catch (thrown) {
    return refuse(error, `threw ${thrown instanceof Error ? thrown.name : typeof thrown}`);
  }
  if (result === undefined) {
    kept.add(error);
    return error;
  }
  const status = error.getStatus();
  if (result instanceof HttpException) {
    let answered: unknown;
    try {
      answered = result.getStatus();
      if (answered === status && isJson(result.getResponse())) return result;
    } catch {
      return refuse(error, 'answered an HttpException that cannot be read');
    }
    return answered === status
      ? refuse(error, 'answered an HttpException whose body is not JSON')
      : refuse(error, `answered status ${String(answered)}; it must keep ${status}`);
  }
  if (isThenable(result)) return refuse(error, 'answered a promise; it must answer synchronously');
  if (result instanceof Error) {
    return refuse(error, 'answered an Error that is no HttpException; return the exception class');
  }
  if (typeof result !== 'string' && (typeof result !== 'object' || result === null)) {
    return refuse(error, `answered ${result === null ? 'null' : typeof result}`);
  }
  const body = snapshot(result);
  if (body === undefined) return refuse(error, 'answered a body that is not JSON');
  // A copy: a body that changes or throws later (a getter, a shared object) cannot change what
  // this answer says. The cause keeps the library's error (code, Retry-After) for app filters.
  return new HttpException(body, status, { cause: error });
}

function refuse(error: IamHttpError, what: string): IamHttpError {
  kept.add(error);
  logger.error(
    `errors.map ${what} for ${error.code}; answering the library's own ${error.getStatus()}.`,
  );
  return error;
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isJson(value: unknown): boolean {
  return snapshot(value) !== undefined;
}

/** `value` as JSON sends it, or undefined when it cannot be sent (cycles, BigInt, a throwing getter). */
function snapshot(value: unknown): object | string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'string' || (typeof parsed === 'object' && parsed !== null)
    ? parsed
    : undefined;
}
