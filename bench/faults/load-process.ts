/**
 * The steady load of `npm run faults` in a process of its own, so that the RSS and the event-loop
 * delay measured in the apps' process are theirs alone. Started by traffic.ts with the target in
 * argv; sends `rate` requests/s, catching up when its timer was late, and reports each answer
 * over IPC; on `stop` it sends no more and says how many it sent.
 */

import { clock } from './clock.js';

interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly rate: number;
}

const { url, headers, rate } = JSON.parse(process.argv[2] ?? '{}') as Target;
const startedAt = clock();
let sent = 0;

function sendOne(): void {
  const sentAt = clock();
  fetch(url, { headers })
    .then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    })
    .catch(() => -1)
    .then((status) => process.send?.({ type: 'answer', status, sentAt, doneAt: clock() }));
  sent += 1;
}

const timer = setInterval(() => {
  const due = Math.floor(((clock() - startedAt) / 1_000) * rate);
  while (sent < due) sendOne();
}, 10);

process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  process.send?.({ type: 'stopped', sent });
});
