/**
 * The replay cache's epoch: a Redis that lost its records (restart without persistence, flush) is
 * noticed on the client's reconnect, and tokens that can have been used before the loss are refused
 * with ReplayStateLostError; tokens issued after it pass. Against an in-memory fake of Redis whose
 * "restart" empties it and emits `ready`, as ioredis does on reconnect.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { RedisCommandClient } from '../../../src/redis/redis-client.js';
import { BoundedRedis } from '../../../src/redis/redis-client.js';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { RedisEpoch } from '../../../src/replay/redis-epoch.js';
import { RedisReplayCache } from '../../../src/replay/redis-replay-cache.js';
import { ReplayStateLostError } from '../../../src/replay/replay-state-lost-error.js';

const MINUTE = 60_000;
const EPOCH_KEY = 'iam:jti:epoch';

/**
 * GET, SET [NX] [PX] and the replay cache's batch (an EVAL of one `SET NX` per key) over a Map;
 * expiry is not modelled.
 */
class FakeRedis extends EventEmitter implements RedisCommandClient {
  readonly commands: string[] = [];
  status = 'ready';
  down = false;
  private readonly holds: { command: string; gate: Promise<void> }[] = [];

  /** Pass another client's `data` for a second pod's connection to the same Redis. */
  constructor(readonly data = new Map<string, string>()) {
    super();
  }

  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    this.commands.push(command);
    if (this.down) throw new Error('connect ECONNREFUSED');
    const held = this.holds.findIndex((hold) => hold.command === command);
    if (held !== -1) await this.holds.splice(held, 1)[0]?.gate;
    const key = String(args[0]);
    if (command === 'GET') return this.data.get(key) ?? null;
    if (command === 'EVAL') return this.setEachIfAbsent(args.slice(2, 2 + Number(args[1])));
    if (command !== 'SET') throw new Error(`unexpected ${command}`);
    if (args.includes('NX') && this.data.has(key)) return null;
    this.data.set(key, String(args[1]));
    return 'OK';
  }

  private setEachIfAbsent(keys: (string | number)[]): number[] {
    return keys.map((key) => {
      if (this.data.has(String(key))) return 0;
      this.data.set(String(key), '1');
      return 1;
    });
  }

  /** Redis restarted without persistence: everything is gone, and the client reconnects. */
  restart(): void {
    this.data.clear();
    this.emit('ready');
  }

  /** The next `command` is executed only once the returned function is called. */
  hold(command: string): () => void {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.holds.push({ command, gate });
    return release;
  }

  count(command: string): number {
    return this.commands.filter((sent) => sent === command).length;
  }
}

function clock(start = 1_800_000_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

function epochOn(redis: FakeRedis, now: () => number, id = 'id') {
  let n = 0;
  return new RedisEpoch(new BoundedRedis(redis, 250), EPOCH_KEY, now, () => `${id}-${++n}`);
}

async function checked(epoch: RedisEpoch): Promise<RedisEpoch> {
  await epoch.check();
  return epoch;
}

function dated(usableFromMs: number) {
  return { tenant: 't', subject: 's', usableFromMs };
}

describe('RedisEpoch', () => {
  it('is written once, with SET NX and no expiry, and adopted by every other pod', async () => {
    const redis = new FakeRedis();
    const { now } = clock();
    const first = await checked(epochOn(redis, now, 'a'));
    const second = await checked(epochOn(redis, now, 'b'));
    expect(JSON.parse(redis.data.get(EPOCH_KEY) ?? '')).toEqual({ id: 'a-1' });
    expect(first.lostAtMs).toBeUndefined();
    expect(second.lostAtMs).toBeUndefined();
    expect(second.refuses(MINUTE, dated(0))).toBe(false);
  });

  it('sees no loss on a reconnect to a Redis that kept its data', async () => {
    const redis = new FakeRedis();
    const epoch = await checked(epochOn(redis, clock().now));
    redis.emit('ready');
    expect(epoch.checked).toBe(false);
    await epoch.check();
    expect(epoch.lostAtMs).toBeUndefined();
  });

  it('records a restart that emptied Redis, refuses tokens usable before it, passes later ones', async () => {
    const redis = new FakeRedis();
    const { time, now } = clock();
    const epoch = await checked(epochOn(redis, now));
    time.now += 5_000;
    const lostAt = time.now;
    redis.restart();
    await epoch.check();
    expect(epoch.lostAtMs).toBe(lostAt);
    expect(JSON.parse(redis.data.get(EPOCH_KEY) ?? '')).toMatchObject({
      id: 'id-2',
      lostAtMs: lostAt,
    });
    expect(epoch.refuses(MINUTE, dated(lostAt - 1))).toBe(true);
    expect(epoch.refuses(MINUTE, dated(lostAt))).toBe(false);
    // No timer: a token usable before the loss stays refused; the verifier's exp/age check is
    // what ends its life, exactly when its jti would have left Redis anyway.
    time.now += 60 * MINUTE;
    expect(epoch.refuses(MINUTE, dated(lostAt - 1))).toBe(true);
  });

  it('refuses undated tokens after a loss for the longest hold it had granted, then passes them', async () => {
    const redis = new FakeRedis();
    const { time, now } = clock();
    const epoch = await checked(epochOn(redis, now));
    expect(epoch.refuses(2 * MINUTE, undefined)).toBe(false);
    expect(epoch.refuses(MINUTE, undefined)).toBe(false);
    redis.restart();
    await epoch.check();
    expect(epoch.refuses(MINUTE, undefined)).toBe(true);
    expect(epoch.refuses(MINUTE, { tenant: 't', subject: 's' })).toBe(true);
    time.now += 2 * MINUTE - 1;
    expect(epoch.refuses(MINUTE, undefined)).toBe(true);
    time.now += 1;
    expect(epoch.refuses(MINUTE, undefined)).toBe(false);
  });

  it('lets every pod detect the loss on its own reconnect and agree on one new epoch', async () => {
    const redis = new FakeRedis();
    const podB = new FakeRedis(redis.data);
    const { time, now } = clock();
    const a = await checked(epochOn(redis, now, 'a'));
    const b = await checked(epochOn(podB, now, 'b'));
    time.now += 1_000;
    // Pod a reconnects first and writes the new epoch ...
    redis.restart();
    await a.check();
    const record = JSON.parse(redis.data.get(EPOCH_KEY) ?? '');
    expect(record).toMatchObject({ id: 'a-2', lostAtMs: time.now });
    // ... pod b, later, finds it changed: a loss too, at its own (later) detection time.
    time.now += 3_000;
    podB.emit('ready');
    await b.check();
    expect(b.lostAtMs).toBe(time.now);
    expect(JSON.parse(redis.data.get(EPOCH_KEY) ?? '')).toEqual(record);
    expect(b.refuses(MINUTE, dated(time.now - 1))).toBe(true);
  });

  it('teaches a pod that starts after another recorded the loss', async () => {
    const redis = new FakeRedis();
    const { time, now } = clock();
    const a = await checked(epochOn(redis, now, 'a'));
    redis.restart();
    await a.check();
    const lostAt = a.lostAtMs ?? 0;
    time.now += MINUTE;
    const late = await checked(epochOn(redis, now, 'late'));
    expect(late.lostAtMs).toBe(lostAt);
    expect(late.refuses(MINUTE, dated(lostAt - 1))).toBe(true);
    expect(late.refuses(MINUTE, dated(lostAt))).toBe(false);
  });

  it('cannot know of a loss when it starts on an emptied Redis no pod has seen: persistence is the fix', async () => {
    const redis = new FakeRedis();
    const { now } = clock();
    await checked(epochOn(redis, now, 'a'));
    redis.data.clear();
    const fresh = await checked(epochOn(redis, now, 'fresh'));
    expect(fresh.lostAtMs).toBeUndefined();
  });

  it('fails the check while Redis is down and detects the loss once it answers', async () => {
    const redis = new FakeRedis();
    const { now } = clock();
    const epoch = await checked(epochOn(redis, now));
    redis.down = true;
    redis.data.clear();
    redis.emit('ready');
    await expect(epoch.check()).rejects.toThrow('ECONNREFUSED');
    expect(epoch.checked).toBe(false);
    redis.down = false;
    await epoch.check();
    expect(epoch.lostAtMs).toBe(now());
  });

  it('stops listening to a client that outlives it', async () => {
    const redis = new FakeRedis();
    const epoch = await checked(epochOn(redis, clock().now));
    expect(redis.listenerCount('ready')).toBe(1);
    epoch.close();
    expect(redis.listenerCount('ready')).toBe(0);
  });
});

describe.each([
  { batchClaims: true, claimCommand: 'EVAL' },
  { batchClaims: false, claimCommand: 'SET' },
])('RedisReplayCache with the epoch, batchClaims $batchClaims', ({ batchClaims, claimCommand }) => {
  function context(usableFromMs = Date.now()) {
    return dated(usableFromMs);
  }

  it('costs one command per claim once the epoch is checked: no read on the hot path', async () => {
    const redis = new FakeRedis();
    const cache = new RedisReplayCache(redis, { batchClaims });
    expect(await cache.claim('t:1', MINUTE, context())).toBe(true);
    const before = redis.commands.length;
    for (let i = 2; i <= 100; i += 1) await cache.claim(`t:${i}`, MINUTE, context());
    expect(redis.commands.slice(before)).toEqual(Array(99).fill(claimCommand));
    expect(redis.count('GET')).toBe(1);
  });

  it('refuses a replay after a restart with ReplayStateLostError, answered 503 auth.replay_state_lost', async () => {
    const redis = new FakeRedis();
    const cache = new RedisReplayCache(redis, { batchClaims });
    const issued = Date.now() - 1_000;
    expect(await cache.claim('t:old', MINUTE, context(issued))).toBe(true);
    redis.restart();
    const refused = await cache.claim('t:old', MINUTE, context(issued)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReplayStateLostError);
    const answered = await claimOnce(cache, 't:old2', MINUTE, context(issued)).catch(
      (e: unknown) => e,
    );
    expect(answered).toMatchObject({
      code: 'auth.replay_state_lost',
      retryAfterSeconds: 1,
    });
    // A token issued after the loss passes once, and is a replay the second time.
    const fresh = context(Date.now() + 1);
    expect(await cache.claim('t:new', MINUTE, fresh)).toBe(true);
    expect(await cache.claim('t:new', MINUTE, fresh)).toBe(false);
  });

  it('catches a reconnect to an emptied Redis while a SET was in flight', async () => {
    const redis = new FakeRedis();
    const cache = new RedisReplayCache(redis, { batchClaims });
    const issued = Date.now() - 1_000;
    expect(await cache.claim('t:old', MINUTE, context(issued))).toBe(true);
    const releaseSet = redis.hold(claimCommand);
    const replay = cache.claim('t:old', MINUTE, context(issued)).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    // The SET is out; Redis restarts and the client reconnects. A client with an offline queue
    // sends the SET before the epoch GET, so the SET's 'OK' arrives before the loss is known.
    const releaseGet = redis.hold('GET');
    redis.restart();
    releaseSet();
    await new Promise((resolve) => setImmediate(resolve));
    releaseGet();
    expect(await replay).toBeInstanceOf(ReplayStateLostError);
  });

  it('answers 503 auth.upstream_unavailable while the epoch cannot be checked', async () => {
    const redis = new FakeRedis();
    const cache = new RedisReplayCache(redis, { batchClaims });
    await cache.claim('t:1', MINUTE, context());
    redis.down = true;
    redis.emit('ready');
    await expect(claimOnce(cache, 't:2', MINUTE, context())).rejects.toMatchObject({
      code: 'auth.upstream_unavailable',
    });
    redis.down = false;
    expect(await claimOnce(cache, 't:2', MINUTE, context())).toBe(true);
  });

  it('keeps the epoch under the key prefix, or under epochKey', async () => {
    const redis = new FakeRedis();
    await new RedisReplayCache(redis, { keyPrefix: 'p:', batchClaims }).claim(
      't:1',
      MINUTE,
      context(),
    );
    await new RedisReplayCache(redis, { epochKey: 'custom', batchClaims }).claim(
      't:1',
      MINUTE,
      context(),
    );
    expect([...redis.data.keys()].sort()).toEqual(['custom', 'iam:jti:t:1', 'p:epoch', 'p:t:1']);
  });
});
