/**
 * The longest wait an upstream's `Retry-After` may ask of the library and of its clients. A
 * misbehaving or hostile upstream could otherwise keep every client away for days.
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

const DELTA_SECONDS = /^\d+$/;
/** IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the obsolete RFC 850 form both end in GMT. */
const HTTP_DATE = /^[A-Za-z]{3,9}, [0-9A-Za-z -]+ \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds an upstream asked to wait in its `Retry-After` header (delta-seconds or an HTTP-date),
 * at most {@link MAX_RETRY_AFTER_SECONDS}; 0 for a date already past; undefined when the header is
 * absent or not a valid value. The one reader of `Retry-After` in the library.
 */
export function retryAfterSeconds(headers: unknown, now: number = Date.now()): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const raw = (headers as Record<string, unknown>)['retry-after'];
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  let seconds: number;
  if (DELTA_SECONDS.test(value)) {
    seconds = Number(value);
  } else if (HTTP_DATE.test(value)) {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.max(0, (date - now) / 1_000);
  } else {
    return undefined;
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, seconds);
}
