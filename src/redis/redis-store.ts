import type { OnApplicationShutdown } from '@nestjs/common';
import {
  BoundedRedis,
  connectRedis,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisCommandClient,
  type RedisConnectionOptions,
} from './redis-client.js';

/**
 * What the Redis-backed stores share: every call bounded by `timeoutMs`, and a connection closed
 * on shutdown only when the store opened it itself (`fromUrl`); a client you pass stays yours.
 */
export abstract class RedisStore implements OnApplicationShutdown {
  protected readonly redis: BoundedRedis;
  private ownsClient = false;

  protected constructor(client: RedisCommandClient, options: RedisConnectionOptions) {
    this.redis = new BoundedRedis(client, options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
  }

  /**
   * A fail-fast connection to `url` for a `fromUrl` factory. Needs the optional peer dependency
   * `ioredis`, loaded only here, with `createRequire`: a top-level import would make the whole
   * package fail to load without it, and `import()` would make the factories asynchronous.
   */
  protected static connect(url: string, options: RedisConnectionOptions): RedisCommandClient {
    return connectRedis(url, options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
  }

  /** Marks a store built on {@link RedisStore.connect} as the owner of its connection. */
  protected static owning<Store extends RedisStore>(store: Store): Store {
    store.ownsClient = true;
    return store;
  }

  /** Closes the connection `fromUrl` opened; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    this.ownsClient = false;
    const client = this.redis.client;
    try {
      await client.quit?.();
    } catch {
      // Redis is away, and quit() cannot be sent without an offline queue: drop the connection.
      client.disconnect?.();
    }
  }

  /** Nest calls this when the store is registered as a provider. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
