import { constants } from 'node:crypto';
import type { JwtAlgorithm } from '../config/tenant-config.js';

/** What node:crypto needs to verify one JWS algorithm, and which keys may serve it. */
export interface AlgorithmProfile {
  /** Digest for `crypto.verify`; null for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly keyType: 'rsa' | 'ec' | 'ed25519';
  /** Named curve an EC key must use. */
  readonly curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
  readonly padding?: number;
  readonly saltLength?: number;
  /** Exact length of an ECDSA (IEEE P1363) or Ed25519 signature. */
  readonly signatureLength?: number;
}

const RSA_PKCS1 = constants.RSA_PKCS1_PADDING;
const RSA_PSS = constants.RSA_PKCS1_PSS_PADDING;

export const ALGORITHM_PROFILES: Readonly<Record<JwtAlgorithm, AlgorithmProfile>> = {
  RS256: { hash: 'sha256', keyType: 'rsa', padding: RSA_PKCS1 },
  RS384: { hash: 'sha384', keyType: 'rsa', padding: RSA_PKCS1 },
  RS512: { hash: 'sha512', keyType: 'rsa', padding: RSA_PKCS1 },
  PS256: { hash: 'sha256', keyType: 'rsa', padding: RSA_PSS, saltLength: 32 },
  PS384: { hash: 'sha384', keyType: 'rsa', padding: RSA_PSS, saltLength: 48 },
  PS512: { hash: 'sha512', keyType: 'rsa', padding: RSA_PSS, saltLength: 64 },
  ES256: { hash: 'sha256', keyType: 'ec', curve: 'prime256v1', signatureLength: 64 },
  ES384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1', signatureLength: 96 },
  ES512: { hash: 'sha512', keyType: 'ec', curve: 'secp521r1', signatureLength: 132 },
  EdDSA: { hash: null, keyType: 'ed25519', signatureLength: 64 },
};

export function isSupportedAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHM_PROFILES, alg);
}

/** RSA keys below this size are refused when the JWKS is imported. */
export const MIN_RSA_MODULUS_BITS = 2048;
