import { MalformedAnswerError } from '../malformed-answer.js';

/** Hydra answered 2xx with something that is not an RFC 6749 §5.1 bearer token answer. */
export class MalformedTokenAnswerError extends MalformedAnswerError {
  constructor(readonly problem: string) {
    super(`malformed answer from Hydra's token endpoint (${problem})`);
    this.name = 'MalformedTokenAnswerError';
  }
}

/** The parts of a token answer the library uses. */
export interface TokenAnswer {
  readonly accessToken: string;
  readonly expiresInMs: number;
  readonly scope: readonly string[] | undefined;
}

/** Longest lifetime believed: a year. A larger `expires_in` is a broken or hostile answer. */
const MAX_EXPIRES_IN_SECONDS = 365 * 24 * 3600;

/**
 * Reads a token answer strictly (RFC 6749 §5.1): a non-empty `access_token` without whitespace,
 * `token_type` `bearer` (any case), a positive `expires_in` (required here: without it the token
 * could not be cached safely). The problem named never quotes the answer: it carries a token.
 */
export function readTokenAnswer(status: number, data: unknown): TokenAnswer {
  if (status !== 200) throw new MalformedTokenAnswerError(`status ${status}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new MalformedTokenAnswerError('not a JSON object');
  }
  const answer = data as Record<string, unknown>;
  const { access_token, token_type, expires_in, scope } = answer;
  if (typeof access_token !== 'string' || access_token === '' || /\s/.test(access_token)) {
    throw new MalformedTokenAnswerError('access_token missing or not a token');
  }
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer') {
    throw new MalformedTokenAnswerError('token_type is not bearer');
  }
  if (
    typeof expires_in !== 'number' ||
    !Number.isFinite(expires_in) ||
    expires_in <= 0 ||
    expires_in > MAX_EXPIRES_IN_SECONDS
  ) {
    throw new MalformedTokenAnswerError('expires_in missing or out of range');
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw new MalformedTokenAnswerError('scope is not a string');
  }
  return {
    accessToken: access_token,
    expiresInMs: expires_in * 1_000,
    scope: scope?.split(' ').filter((part) => part !== ''),
  };
}
