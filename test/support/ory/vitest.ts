import { afterAll, afterEach, beforeAll } from 'vitest';
import { type OryStack, type OryStackOptions, startOry } from './stack.js';

/**
 * Starts the stack in `beforeAll` and stops it in `afterAll`; pass a function to build the options
 * there (after earlier `beforeAll` hooks, e.g. once an upstream listens). A start failure fails every test
 * of the file with the servers' log tails (never a skip). After a failed test the log tails are
 * printed and the run directory is kept for inspection.
 */
export function useOryStack(options: OryStackOptions | (() => OryStackOptions)): () => OryStack {
  let stack: OryStack | undefined;
  let failed = false;
  beforeAll(async () => {
    stack = await startOry(typeof options === 'function' ? options() : options);
  });
  afterEach((context) => {
    if (context.task.result?.state !== 'fail' || stack === undefined) return;
    failed = true;
    console.error(
      `Ory logs for "${context.task.name}" (run dir ${stack.runDir}):\n${stack.logTails()}`,
    );
  });
  afterAll(async () => {
    await stack?.stop({ keepRunDir: failed });
  });
  return () => {
    if (stack === undefined)
      throw new Error('the Ory stack did not start; see the beforeAll error');
    return stack;
  };
}
