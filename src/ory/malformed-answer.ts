/**
 * An Ory server answered 2xx with a body that is not the documented shape: an outage, never a
 * decision. Thrown within an attempt (by the call `callOry` runs), it counts towards the
 * upstream's circuit breaker like a 5xx.
 */
export abstract class MalformedAnswerError extends Error {}
