/**
 * What operators read when an upstream failed: codes, addresses and statuses, never a message or
 * a body that may echo what was sent. Redis error replies are ioredis's own `ReplyError`.
 */
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeUpstreamFailure } from '../../../src/errors/upstream-failure.js';

describe('describeUpstreamFailure, Redis error replies', () => {
  it.each([
    ['OOM command not allowed when used memory > maxmemory.', 'Redis OOM'],
    ["READONLY You can't write against a read only replica.", 'Redis READONLY'],
    ['NOSCRIPT No matching script. Please use EVAL.', 'Redis NOSCRIPT'],
    ['LOADING', 'Redis LOADING'],
  ])('names the code that opens %j', (message, described) => {
    expect(describeUpstreamFailure(new ReplyError(message))).toBe(described);
  });

  it('leaves out the rest of the reply, which names the user and the command', () => {
    const described = describeUpstreamFailure(
      new ReplyError("NOPERM User alice has no permissions to run the 'eval' command"),
    );
    expect(described).toBe('Redis NOPERM');
  });

  it('says only the error kind for a reply that opens with no code, and for other errors', () => {
    expect(describeUpstreamFailure(new ReplyError('user alice said no'))).toBe('ReplyError');
    expect(describeUpstreamFailure(new Error('OOM but not from Redis'))).toBe('Error');
  });

  it('reads a timed-out Redis call as no answer in time', () => {
    const timeout = Object.assign(new Error('Redis EVAL did not answer within 250 ms'), {
      code: 'ETIMEDOUT',
    });
    expect(describeUpstreamFailure(timeout)).toBe('no answer in time');
  });
});
