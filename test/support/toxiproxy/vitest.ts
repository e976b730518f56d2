import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ToxiproxyClient } from './client.js';
import { type RunningToxiproxy, startToxiproxy } from './server.js';

/**
 * Starts a Toxiproxy server in `beforeAll` and stops it in `afterAll`. A start failure (a missing
 * binary included) fails every test of the file, never a skip. Every toxic is removed and every
 * proxy enabled after each test, so a failed test leaves no fault behind for the next; after a
 * failed test the log tail is printed and the log kept.
 */
export function useToxiproxy(): () => ToxiproxyClient {
  let server: RunningToxiproxy | undefined;
  let failed = false;
  beforeAll(async () => {
    server = await startToxiproxy();
  });
  afterEach(async (context) => {
    if (server === undefined) return;
    if (context.task.result?.state === 'fail') {
      failed = true;
      console.error(`Toxiproxy log for "${context.task.name}":\n${server.logTail()}`);
    }
    await server.api.reset();
  });
  afterAll(async () => {
    await server?.stop({ keepLog: failed });
  });
  return () => {
    if (server === undefined) throw new Error('Toxiproxy did not start; see the beforeAll error');
    return server.api;
  };
}
