import { expect } from 'vitest';
import type { IamErrorCode } from '../../../src/errors/error-codes.js';
import { IamHttpError } from '../../../src/errors/iam-errors.js';

/** base64url of a JSON value, the way a JWS segment is built. */
export function segment(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** The IamHttpError a call throws or rejects with; fails the test when it does not fail. */
export async function failureOf(call: () => unknown): Promise<IamHttpError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof IamHttpError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Asserts the call fails with this code and the status the code table gives it. */
export async function expectCode(call: () => unknown, code: IamErrorCode): Promise<IamHttpError> {
  const error = await failureOf(call);
  expect(error.code).toBe(code);
  return error;
}
