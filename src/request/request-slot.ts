import { IncomingMessage } from 'node:http';

/** What the library keeps for one request, WebSocket message or socket, under one name. */
export interface RequestSlot<T> {
  get(holder: object): T | undefined;
  set(holder: object, value: T): void;
}

type Holding<T> = Record<symbol, T | undefined>;

/**
 * A property under a registered symbol, or on Express's request an entry in a WeakMap.
 *
 * Express swaps the prototype of Node's `IncomingMessage` for its own on every request, and V8 then
 * answers every property read or write on it that is not in its inline cache the slow way: 0.7 us
 * to find a symbol missing, 2.1 us to add one, in a bare Express 5 app (0.1 us on a request Express
 * did not touch). A WeakMap costs 0.1 us to read and 1 us to add an entry to on any object, more
 * than a property costs on Fastify's request or a WebSocket: those keep the property. The
 * `instanceof` check costs tens of nanoseconds.
 *
 * Symbol and map are registered process-wide (`Symbol.for`, `globalThis`): the package's ESM and
 * CommonJS builds loaded side by side (a decorator from one, the guard from the other) see the
 * same state. A symbol is left out of JSON, `Object.keys` and for-in.
 */
export function requestSlot<T>(name: string): RequestSlot<T> {
  const key = Symbol.for(`nestjs-ory-iam:${name}`);
  const registry = globalThis as typeof globalThis & Holding<WeakMap<object, T>>;
  registry[key] ??= new WeakMap<object, T>();
  const onExpress = registry[key];
  return {
    get: (holder) =>
      holder instanceof IncomingMessage ? onExpress.get(holder) : (holder as Holding<T>)[key],
    set: (holder, value) => {
      if (holder instanceof IncomingMessage) onExpress.set(holder, value);
      else (holder as Holding<T>)[key] = value;
    },
  };
}
