/**
 * fetchJwks against a hand-written faulty JWKS server: the body cap (declared and streamed), the key
 * count cap, and every way an answer can fail to be a key set, each with its stable reason.
 */
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJwks, JwksFetchError } from '../../../src/jwt/fetch-jwks.js';
import { endlessBody, type FaultyJwksServer, startFaultyJwksServer } from './faulty-jwks-server.js';

const LIMITS = { timeoutMs: 5_000, maxBytes: 4_096, maxKeys: 3 };

let server: FaultyJwksServer;
beforeAll(async () => {
  server = await startFaultyJwksServer();
});
afterAll(async () => {
  await server.close();
});

function json(body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json', ...headers });
    response.end(text);
  };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JwksFetchError) return error.reason;
    throw error;
  }
  throw new Error('expected the fetch to fail');
}

const key = (kid: string) => ({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB' });

describe('fetchJwks: a key set within the limits', () => {
  it('returns the keys of a set at exactly maxBytes and maxKeys', async () => {
    const keys = [key('a'), key('b'), key('c')];
    const body = JSON.stringify({ keys });
    const padded = body.padEnd(LIMITS.maxBytes, ' ');
    server.answerWith(json(padded));
    expect(await fetchJwks(server.url, LIMITS)).toEqual(keys);
  });
});

describe('fetchJwks: the body cap', () => {
  it('refuses a body one byte over maxBytes', async () => {
    server.answerWith(json(JSON.stringify({ keys: [key('a')] }).padEnd(LIMITS.maxBytes + 1, ' ')));
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe('too_large');
  });

  it('refuses a declared Content-Length over maxBytes before reading any of the body', async () => {
    // Headers only, and the body never comes: reading it would hang until the timeout.
    server.answerWith((response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(100 * 1_024 * 1_024),
      });
      response.flushHeaders();
    });
    const aborted = server.nextAbort();
    expect(await reasonOf(fetchJwks(server.url, { ...LIMITS, timeoutMs: 30_000 }))).toBe(
      'too_large',
    );
    await aborted;
  });

  it('stops reading a chunked body that never ends once it crosses maxBytes', async () => {
    server.answerWith(endlessBody);
    const aborted = server.nextAbort();
    const before = server.bytesWritten;
    expect(
      await reasonOf(fetchJwks(server.url, { ...LIMITS, maxBytes: 1_048_576, timeoutMs: 30_000 })),
    ).toBe('too_large');
    await aborted;
    // The client hung up: what the server managed to push is the cap plus socket buffers, not more.
    expect(server.bytesWritten - before).toBeLessThan(16 * 1_048_576);
  });

  it('caps the decoded body, so a small compressed body cannot inflate past the cap', async () => {
    const inflated = JSON.stringify({ keys: [key('a')] }).padEnd(10 * LIMITS.maxBytes, ' ');
    const compressed = gzipSync(inflated);
    expect(compressed.length).toBeLessThan(LIMITS.maxBytes);
    server.answerWith((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(compressed);
    });
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe('too_large');
  });
});

describe('fetchJwks: the key count cap', () => {
  it('refuses a set with more than maxKeys keys', async () => {
    server.answerWith(json({ keys: [key('a'), key('b'), key('c'), key('d')] }));
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe('too_many_keys');
  });

  it('counts entries that are not keys too, before looking at any of them', async () => {
    server.answerWith(json({ keys: [1, 2, 3, 4] }));
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe('too_many_keys');
  });
});

describe('fetchJwks: answers that are not a key set', () => {
  it.each([
    ['an HTML page', '<html>maintenance</html>', 'not_json'],
    ['a JSON array', '[]', 'not_a_jwks'],
    ['keys that are not an array', '{"keys":"nope"}', 'not_a_jwks'],
    ['no keys at all', '{}', 'not_a_jwks'],
    ['a key that is not an object', '{"keys":[{"kty":"RSA"},null]}', 'not_a_jwks'],
    ['null', 'null', 'not_a_jwks'],
  ])('refuses %s', async (_name, body, reason) => {
    server.answerWith(json(body));
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe(reason);
  });

  it.each([
    [503, 'status'],
    [404, 'status'],
    [204, 'status'],
  ])('refuses a %i answer', async (status, reason) => {
    server.answerWith((response) => response.writeHead(status).end());
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe(reason);
  });

  it('does not follow a redirect: the configured URL is the one trusted', async () => {
    server.answerWith((response) =>
      response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
    );
    expect(await reasonOf(fetchJwks(server.url, LIMITS))).toBe('status');
  });

  it('gives up after timeoutMs on a server that never answers', async () => {
    server.answerWith(() => undefined);
    expect(await reasonOf(fetchJwks(server.url, { ...LIMITS, timeoutMs: 100 }))).toBe('timeout');
  });

  it('counts timeoutMs over the body too, not only until the headers', async () => {
    server.answerWith((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":[');
    });
    expect(await reasonOf(fetchJwks(server.url, { ...LIMITS, timeoutMs: 100 }))).toBe('timeout');
  });

  it('reports an endpoint nothing listens on as unreachable', async () => {
    const closed = await startFaultyJwksServer();
    await closed.close();
    expect(await reasonOf(fetchJwks(closed.url, LIMITS))).toBe('unreachable');
  });
});
