/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export const clock = (): number => performance.timeOrigin + performance.now();
