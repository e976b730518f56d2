/** Every server variant of the HTTP benches: its kind, its label, and whether its tokens are unique. */

import type { Kind } from './app-module.js';

/** `unique` false: one token, resent (what Oathkeeper's token cache does with replay off). */
export const KINDS: readonly [kind: Kind, label: string, unique: boolean][] = [
  ['bare', 'bare route', true],
  ['iam-memory', 'ours, replay in-memory', true],
  ['iam-memory-baseline', 'ours (baseline build), replay in-memory', true],
  ['iam-memory-telemetry-off', 'ours, replay in-memory, telemetry off', true],
  ['iam-memory-quiet', 'ours, replay in-memory, no-op audit sink', true],
  ['iam-redis', 'ours, replay in Redis', true],
  ['iam-redis-baseline', 'ours (baseline build), replay in Redis', true],
  ['iam-replay-off', 'ours, replay off, one token', false],
  ['iam-replay-off-baseline', 'ours (baseline build), replay off, one token', false],
  ['iam-kratos-cookie', 'ours, Kratos cookie, session cache warm', false],
  ['allow-all', 'a guard that allows everything', false],
  ['signature-only', 'floor: crypto.verify only, no checks', true],
  ['fewest-checks', 'floor + payload JSON, exp, iss, aud, jti Set', true],
  ['jose', 'jose + createRemoteJWKSet + jti Set', true],
  ['fast-jwt', 'fast-jwt + PEM per kid + jti Set', true],
  ['passport', 'passport-jwt + jwks-rsa', true],
];
