/**
 * A Redis store whose server is not there says so once, at boot, with the address and never the
 * URL's password, instead of showing only as 503s on the first requests.
 */
import { Logger } from '@nestjs/common';
import { afterEach, expect, it, vi } from 'vitest';
import { RedisReplayCache } from '../../../src/index.js';
import { freePorts } from '../../support/ory/ports.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('warns once that Redis is unreachable, naming the address and not the password', async () => {
  const [port] = await freePorts(1);
  const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const cache = RedisReplayCache.fromUrl(`redis://:secret-pass@127.0.0.1:${port}`);
  try {
    await vi.waitFor(() => expect(warn).toHaveBeenCalled(), { timeout: 5_000 });
    // ioredis retries every few hundred ms; a claim fails on its own meanwhile.
    await expect(cache.claim('jti-1', 1_000)).rejects.toThrow();
    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(messages).toEqual([expect.stringContaining(`ECONNREFUSED 127.0.0.1:${port}`)]);
    expect(messages.join('\n')).not.toContain('secret-pass');
  } finally {
    await cache.close();
  }
});
