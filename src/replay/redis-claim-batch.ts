import type { BoundedRedis } from '../redis/redis-client.js';

/**
 * `SET <key> 1 PX <ttl> NX` for each key in turn, in one atomic script: 1 for a key it set, 0 for
 * one that was there, so two claims of one key in one batch still answer one true and one false.
 */
const SET_EACH_IF_ABSENT =
  "local set = {} for i = 1, #KEYS do set[i] = redis.call('SET', KEYS[i], '1', 'PX', ARGV[i], 'NX') and 1 or 0 end return set";

/**
 * Most claims one `EVAL` carries; a turn with more sends them in several. Redis runs a script
 * without interruption, and each `SET` in it costs a few microseconds: a cap keeps any one batch
 * from holding Redis for more than a few milliseconds, whatever a burst of requests brings.
 */
export const MAX_CLAIMS_PER_BATCH = 500;

interface WaitingClaim {
  readonly key: string;
  readonly px: number;
  resolve(first: boolean): void;
  reject(error: unknown): void;
}

/**
 * The replay claims made in one turn of the event loop, sent together as one `EVAL` when the turn
 * ends (`setImmediate`). ioredis spends about as much CPU on one command as Redis needs for many,
 * so under load, when several requests reach their claim in one turn, each pays a share of one
 * command instead of a whole one; a claim made alone waits no longer than the rest of its turn.
 * The batch is one call of {@link BoundedRedis}: bounded by its timeout, and an error or a reply of
 * the wrong shape rejects every claim in it, never answers one as a first use.
 *
 * Only for a Redis that runs a command on one server whatever its keys: not Redis Cluster (keys of
 * a batch fall in different slots) nor a proxy that shards by a command's first key.
 */
export class RedisClaimBatch {
  private waiting: WaitingClaim[] = [];

  constructor(private readonly redis: BoundedRedis) {}

  /** True when `key` was absent and is now set for `px` milliseconds. */
  setIfAbsent(key: string, px: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const waiting = this.waiting.push({ key, px, resolve, reject });
      if (waiting === 1) setImmediate(this.send);
      else if (waiting === MAX_CLAIMS_PER_BATCH) this.send();
    });
  }

  /** Sends what waits; the turn's `setImmediate` finds nothing when a full batch went early. */
  private readonly send = (): void => {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    const args: (string | number)[] = [SET_EACH_IF_ABSENT, batch.length];
    for (const claim of batch) args.push(claim.key);
    for (const claim of batch) args.push(claim.px);
    this.redis.call('EVAL', ...args).then(
      (reply) => settle(batch, reply),
      (error: unknown) => {
        for (const claim of batch) claim.reject(error);
      },
    );
  };
}

function settle(batch: readonly WaitingClaim[], reply: unknown): void {
  if (!Array.isArray(reply) || reply.length !== batch.length) {
    const error = new Error(
      `Redis answered ${batch.length} replay claims with ${describeReply(reply)}`,
    );
    for (const claim of batch) claim.reject(error);
    return;
  }
  batch.forEach((claim, index) => {
    const answer: unknown = reply[index];
    if (answer === 1) claim.resolve(true);
    else if (answer === 0) claim.resolve(false);
    else claim.reject(new Error(`Redis answered a replay claim with ${describeReply(answer)}`));
  });
}

/** The reply's kind and size, never its content. */
function describeReply(reply: unknown): string {
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  return reply === null ? 'null' : `a ${typeof reply}`;
}
