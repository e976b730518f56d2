import type { ToxiproxyProxy } from './client.js';

/** The network faults the fault tests and `npm run faults` put between the library and a server. */
export type FaultName = 'latency' | 'hang' | 'reset' | 'refused' | 'slow-close' | 'bandwidth';

export const FAULTS: readonly FaultName[] = [
  'latency',
  'hang',
  'reset',
  'refused',
  'slow-close',
  'bandwidth',
];

/** What each fault does to the connections, for test names and reports. */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultName, string>> = {
  latency: 'every answer delayed 10x the timeout',
  hang: 'connections accepted, answers never sent',
  reset: 'connections reset (RST) as soon as the client sends',
  refused: 'nothing listening: connections refused',
  'slow-close': 'the answer cut after its first byte, the connection then held open',
  bandwidth: '1 KB/s each way',
};

/**
 * Puts `fault` on `proxy` (open connections included) and resolves to the function that heals
 * it. `timeoutMs` is the client's own timeout: the delays are made to exceed it several times.
 * `bandwidth` holds up only answers and requests of more than a few hundred bytes per `timeoutMs`
 * (at 1 KB/s, 300 bytes take 300 ms): the tests make theirs that large.
 */
export async function injectFault(
  proxy: ToxiproxyProxy,
  fault: FaultName,
  timeoutMs: number,
): Promise<() => Promise<void>> {
  const toxics: string[] = [];
  const heal = async () => {
    for (const toxic of toxics.reverse()) await proxy.removeToxic(toxic);
  };
  switch (fault) {
    case 'latency':
      toxics.push(
        await proxy.addToxic({ type: 'latency', attributes: { latency: timeoutMs * 10 } }),
      );
      return heal;
    case 'hang':
      toxics.push(await proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } }));
      return heal;
    case 'reset':
      toxics.push(
        await proxy.addToxic({
          type: 'reset_peer',
          stream: 'upstream',
          attributes: { timeout: 0 },
        }),
      );
      return heal;
    case 'refused':
      await proxy.disable();
      return () => proxy.enable();
    case 'slow-close':
      // Toxics run in the order they were added: the cut first, then the held-open close.
      toxics.push(await proxy.addToxic({ type: 'limit_data', attributes: { bytes: 1 } }));
      toxics.push(
        await proxy.addToxic({ type: 'slow_close', attributes: { delay: timeoutMs * 10 } }),
      );
      return heal;
    case 'bandwidth':
      for (const stream of ['upstream', 'downstream'] as const) {
        toxics.push(await proxy.addToxic({ type: 'bandwidth', stream, attributes: { rate: 1 } }));
      }
      return heal;
  }
}
