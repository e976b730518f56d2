/**
 * The replay claims of one event-loop turn, sent as one EVAL: what goes out, how the answers map
 * back to the claims, and that a failure or a reply of the wrong shape rejects every claim of the
 * batch and answers none of them as a first use. Against a scripted client (a fake, to make Redis
 * answer what a real one would not); the script itself runs against the real Redis in
 * test/integration/redis/redis-stores.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BoundedRedis, type RedisCommandClient } from '../../../src/redis/redis-client.js';
import { MAX_CLAIMS_PER_BATCH, RedisClaimBatch } from '../../../src/replay/redis-claim-batch.js';
import { RedisReplayCache } from '../../../src/replay/redis-replay-cache.js';

type Sent = [command: string, ...args: (string | number)[]];

/** Records every command and answers each with what `answer` returns for it. */
class ScriptedRedis implements RedisCommandClient {
  readonly sent: Sent[] = [];

  constructor(
    private readonly answer: (command: string, args: (string | number)[]) => Promise<unknown>,
    readonly isCluster?: boolean,
  ) {}

  call(command: string, ...args: (string | number)[]): Promise<unknown> {
    this.sent.push([command, ...args]);
    return this.answer(command, args);
  }
}

/** An EVAL's keys and PX values, from its arguments. */
function evalKeysAndTtls(args: (string | number)[]): { keys: unknown[]; ttls: unknown[] } {
  const count = Number(args[1]);
  return { keys: args.slice(2, 2 + count), ttls: args.slice(2 + count) };
}

/** Sets each key absent from `held`, as the script does: 1 when set, 0 when it was there. */
function setEachIfAbsent(held: Set<unknown>) {
  return async (_command: string, args: (string | number)[]) =>
    evalKeysAndTtls(args).keys.map((key) => {
      if (held.has(key)) return 0;
      held.add(key);
      return 1;
    });
}

const settled = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('RedisClaimBatch', () => {
  it('sends the claims of one turn as one EVAL, keys then PX values, and answers each in order', async () => {
    const redis = new ScriptedRedis(setEachIfAbsent(new Set(['b'])));
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    const answers = await Promise.all([
      batch.setIfAbsent('a', 1_000),
      batch.setIfAbsent('b', 2_000),
      batch.setIfAbsent('c', 3_000),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect(redis.sent).toHaveLength(1);
    const [command, ...args] = redis.sent[0] as Sent;
    expect(command).toBe('EVAL');
    expect(args[0]).toContain("redis.call('SET', KEYS[i], '1', 'PX', ARGV[i], 'NX')");
    expect(evalKeysAndTtls(args)).toEqual({ keys: ['a', 'b', 'c'], ttls: [1_000, 2_000, 3_000] });
  });

  it('answers one of two claims of the same key in one batch as the first use', async () => {
    const redis = new ScriptedRedis(setEachIfAbsent(new Set()));
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    const answers = await Promise.all([batch.setIfAbsent('a', 1), batch.setIfAbsent('a', 1)]);
    expect(answers).toEqual([true, false]);
  });

  it(`sends a turn's claims in batches of at most ${MAX_CLAIMS_PER_BATCH}`, async () => {
    const redis = new ScriptedRedis(setEachIfAbsent(new Set()));
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    const count = MAX_CLAIMS_PER_BATCH * 2 + 1;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, index) => batch.setIfAbsent(`k${index}`, 1)),
    );
    expect(answers.every(Boolean)).toBe(true);
    const sizes = redis.sent.map((sent) => evalKeysAndTtls(sent.slice(1)).keys.length);
    expect(sizes).toEqual([MAX_CLAIMS_PER_BATCH, MAX_CLAIMS_PER_BATCH, 1]);
    const keys = redis.sent.flatMap((sent) => evalKeysAndTtls(sent.slice(1)).keys);
    expect(keys).toEqual(Array.from({ length: count }, (_, index) => `k${index}`));
  });

  it('starts a new batch for the claims of a later turn', async () => {
    const redis = new ScriptedRedis(setEachIfAbsent(new Set()));
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    await batch.setIfAbsent('a', 1);
    await Promise.all([batch.setIfAbsent('b', 1), batch.setIfAbsent('c', 1)]);
    expect(redis.sent.map((sent) => evalKeysAndTtls(sent.slice(1)).keys)).toEqual([
      ['a'],
      ['b', 'c'],
    ]);
  });

  it('rejects every claim of a batch whose EVAL failed, and sends the next batch anew', async () => {
    let failing = true;
    const held = new Set();
    const redis = new ScriptedRedis(async (command, args) => {
      if (failing) throw new Error('NOPERM this user has no permissions to run the eval command');
      return setEachIfAbsent(held)(command, args);
    });
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    const outcomes = await Promise.all([
      settled(batch.setIfAbsent('a', 1)),
      settled(batch.setIfAbsent('b', 1)),
    ]);
    expect(outcomes).toEqual([
      { error: expect.objectContaining({ message: expect.stringContaining('NOPERM') }) },
      { error: expect.objectContaining({ message: expect.stringContaining('NOPERM') }) },
    ]);
    failing = false;
    expect(await batch.setIfAbsent('a', 1)).toBe(true);
  });

  it.each([
    ['a status reply', 'OK', 'a string'],
    ['nil', null, 'null'],
    ['an array one short', [1], 'an array of 1'],
    ['an array one long', [1, 1, 1], 'an array of 3'],
  ])(
    'rejects every claim when Redis answers %s, never a first use',
    async (_, reply, described) => {
      const redis = new ScriptedRedis(async () => reply);
      const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
      const outcomes = await Promise.all([
        settled(batch.setIfAbsent('a', 1)),
        settled(batch.setIfAbsent('b', 1)),
      ]);
      expect(outcomes).toEqual([
        { error: new Error(`Redis answered 2 replay claims with ${described}`) },
        { error: new Error(`Redis answered 2 replay claims with ${described}`) },
      ]);
    },
  );

  it('rejects a claim whose own answer is neither 0 nor 1, and answers the others', async () => {
    const redis = new ScriptedRedis(async () => [1, 'OK', 0, null]);
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 1_000));
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd'].map((key) => settled(batch.setIfAbsent(key, 1))),
    );
    expect(outcomes).toEqual([
      { value: true },
      { error: new Error('Redis answered a replay claim with a string') },
      { value: false },
      { error: new Error('Redis answered a replay claim with null') },
    ]);
  });

  it('rejects the claims of a batch Redis does not answer within the timeout', async () => {
    const redis = new ScriptedRedis(() => new Promise(() => undefined));
    const batch = new RedisClaimBatch(new BoundedRedis(redis, 50));
    const started = performance.now();
    await expect(batch.setIfAbsent('a', 1)).rejects.toThrow(
      'Redis EVAL did not answer within 50 ms',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('RedisReplayCache claims', () => {
  it('go out in one EVAL per turn by default', async () => {
    const redis = new ScriptedRedis(async (command, args) =>
      // Anything else is the epoch's GET, which finds the epoch there.
      command === 'EVAL' ? setEachIfAbsent(new Set())(command, args) : 'an-epoch-id',
    );
    const cache = new RedisReplayCache(redis);
    expect(await Promise.all([cache.claim('t:1', 60_000), cache.claim('t:2', 60_000.2)])).toEqual([
      true,
      true,
    ]);
    const evals = redis.sent.filter(([command]) => command === 'EVAL');
    expect(evals.map((sent) => evalKeysAndTtls(sent.slice(1)))).toEqual([
      { keys: ['iam:jti:t:1', 'iam:jti:t:2'], ttls: [60_000, 60_001] },
    ]);
  });

  it.each([
    ['a Cluster client', { isCluster: true, options: {} }],
    ['batchClaims: false', { isCluster: false, options: { batchClaims: false } }],
  ])('go out as one SET NX each with %s', async (_, { isCluster, options }) => {
    const redis = new ScriptedRedis(async () => 'OK', isCluster);
    const cache = new RedisReplayCache(redis, options);
    expect(await Promise.all([cache.claim('t:1', 60_000.2), cache.claim('t:2', 60_000)])).toEqual([
      true,
      true,
    ]);
    expect(redis.sent.filter(([command]) => command === 'EVAL')).toHaveLength(0);
    expect(redis.sent).toContainEqual(['SET', 'iam:jti:t:1', '1', 'PX', 60_001, 'NX']);
    expect(redis.sent).toContainEqual(['SET', 'iam:jti:t:2', '1', 'PX', 60_000, 'NX']);
  });
});
