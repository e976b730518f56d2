import { io } from 'socket.io-client';
import WebSocket from 'ws';

/** One event the server sent: a handler's answer or an `exception`. */
export interface ServerEvent {
  readonly event: string;
  readonly data: unknown;
}

/** How the server ended the connection: a `ws` close code and reason, or socket.io's reason. */
export interface Closed {
  readonly code?: number;
  readonly reason: string;
}

/** A WebSocket client the tests drive the same way on socket.io and `ws`. */
export interface GatewayClient {
  send(event: string, data?: unknown): void;
  /** The next event from the server, in the order sent. */
  next(): Promise<ServerEvent>;
  /** Settles when the server closes the connection. */
  readonly closed: Promise<Closed>;
  close(): void;
}

export type GatewayPlatform = 'socket.io' | 'ws';

class EventQueue {
  private readonly events: ServerEvent[] = [];
  private readonly waiters: ((event: ServerEvent) => void)[] = [];

  push(event: ServerEvent): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.events.push(event);
    else waiter(event);
  }

  next(): Promise<ServerEvent> {
    const event = this.events.shift();
    if (event !== undefined) return Promise.resolve(event);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

async function socketIoClient(
  url: string,
  headers: Record<string, string>,
): Promise<GatewayClient> {
  // forceNew: every client its own connection, never one shared by the manager.
  const socket = io(url, { transports: ['websocket'], extraHeaders: headers, forceNew: true });
  const queue = new EventQueue();
  socket.onAny((event: string, data: unknown) => queue.push({ event, data }));
  const closed = new Promise<Closed>((resolve) =>
    socket.on('disconnect', (reason) => resolve({ reason })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    send: (event, data) => socket.emit(event, data),
    next: () => queue.next(),
    closed,
    close: () => socket.disconnect(),
  };
}

async function wsClient(
  url: string,
  headers: Record<string, string>,
  path: string,
): Promise<GatewayClient> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, { headers });
  const queue = new EventQueue();
  socket.on('message', (raw) => queue.push(JSON.parse(String(raw)) as ServerEvent));
  const closed = new Promise<Closed>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    send: (event, data) => socket.send(JSON.stringify({ event, data })),
    next: () => queue.next(),
    closed,
    close: () => socket.close(),
  };
}

/**
 * Opens a connection to the app's gateway with these handshake headers; `path` is the `ws`
 * gateway's (socket.io's is always `/socket.io`). Rejects when the server refuses the upgrade.
 */
export function connect(
  platform: GatewayPlatform,
  url: string,
  headers: Record<string, string> = {},
  path = '/',
): Promise<GatewayClient> {
  return platform === 'socket.io' ? socketIoClient(url, headers) : wsClient(url, headers, path);
}
