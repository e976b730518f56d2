/**
 * A typed client for Toxiproxy's HTTP API (v2.5.0), with Node's fetch: proxies in front of real
 * servers, and toxics that make one of them slow, silent, rude or gone.
 *
 * ```ts
 * const proxy = await toxiproxy.createProxy('keto-read', '127.0.0.1:4466');
 * const hang = await proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } });
 * await proxy.removeToxic(hang);
 * await proxy.disable(); // connections refused until enable()
 * ```
 */

/** Which direction of the connection a toxic acts on: `downstream` is server to client. */
export type ToxicStream = 'upstream' | 'downstream';

/** Every toxic the fault tests use, with its attributes as Toxiproxy names them (times in ms). */
export type ToxicSpec =
  /** Delays every chunk by `latency` (± `jitter`). */
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Drops every byte; closes the connection after `timeout`, or never when 0: a hang. */
  | { type: 'timeout'; attributes: { timeout: number } }
  /** Resets the connection (TCP RST) `timeout` after the first data. */
  | { type: 'reset_peer'; attributes: { timeout: number } }
  /** At most `rate` KB/s. */
  | { type: 'bandwidth'; attributes: { rate: number } }
  /** Holds the connection open for `delay` after the other side closed it. */
  | { type: 'slow_close'; attributes: { delay: number } }
  /** Closes the connection once `bytes` have passed. */
  | { type: 'limit_data'; attributes: { bytes: number } };

export type NewToxic = ToxicSpec & {
  /** Default `downstream`. */
  stream?: ToxicStream;
  /** Share of connections affected, 0 to 1. Default 1. */
  toxicity?: number;
  /** Default `<type>_<stream>_<n>`, unique on its proxy: Toxiproxy refuses a name twice. */
  name?: string;
};

interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** An error answer of the API, with what was asked. */
export class ToxiproxyApiError extends Error {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`Toxiproxy ${request} answered ${status}: ${body}`);
    this.name = 'ToxiproxyApiError';
  }
}

/** The API of one Toxiproxy server, e.g. `http://127.0.0.1:8474`. */
export class ToxiproxyClient {
  constructor(readonly apiUrl: string) {}

  /**
   * A proxy listening on `listen` (default a free loopback port, kept across disable and enable)
   * that forwards to `upstream` (`host:port`).
   */
  async createProxy(
    name: string,
    upstream: string,
    listen = '127.0.0.1:0',
  ): Promise<ToxiproxyProxy> {
    const created = await this.call<ProxyJson>('POST', '/proxies', {
      name,
      upstream,
      listen,
      enabled: true,
    });
    return new ToxiproxyProxy(this, created.name, created.listen);
  }

  /** Enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  /** One API call; a non-2xx answer throws {@link ToxiproxyApiError}. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new ToxiproxyApiError(`${method} ${path}`, response.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** One proxy: its address, its toxics, on or off. */
export class ToxiproxyProxy {
  private toxicCount = 0;

  constructor(
    private readonly api: ToxiproxyClient,
    readonly name: string,
    /** `127.0.0.1:<port>`, what the client under test connects to. */
    readonly listen: string,
  ) {}

  get port(): number {
    return Number(this.listen.slice(this.listen.lastIndexOf(':') + 1));
  }

  /** `http://127.0.0.1:<port>`, or another scheme (`redis`). */
  url(scheme = 'http'): string {
    return `${scheme}://${this.listen}`;
  }

  /** Adds a toxic to every connection, open ones included; resolves to its name. */
  async addToxic(toxic: NewToxic): Promise<string> {
    const stream = toxic.stream ?? 'downstream';
    this.toxicCount += 1;
    const name = toxic.name ?? `${toxic.type}_${stream}_${this.toxicCount}`;
    await this.api.call('POST', `/proxies/${this.name}/toxics`, {
      name,
      type: toxic.type,
      stream,
      toxicity: toxic.toxicity ?? 1,
      attributes: toxic.attributes,
    });
    return name;
  }

  async removeToxic(name: string): Promise<void> {
    await this.api.call('DELETE', `/proxies/${this.name}/toxics/${name}`);
  }

  /** Closes the listener and every open connection: connections are refused until enable(). */
  async disable(): Promise<void> {
    await this.api.call('POST', `/proxies/${this.name}`, { enabled: false });
  }

  /** Listens again, on the same port. */
  async enable(): Promise<void> {
    await this.api.call('POST', `/proxies/${this.name}`, { enabled: true });
  }
}
