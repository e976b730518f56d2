import { type VerifyKeyObjectInput, verify } from 'node:crypto';
import type { JwtAlgorithm } from '../config/tenant-config.js';
import { ALGORITHM_PROFILES } from './jwt-algorithms.js';

/**
 * Verifies a JWS signature with node:crypto and a KeyObject imported once. ECDSA and EdDSA
 * signatures must have their exact fixed length; anything that makes node throw is a bad signature.
 */
export function verifySignature(
  alg: JwtAlgorithm,
  key: VerifyKeyObjectInput,
  signingInput: string,
  signature: Buffer,
): boolean {
  const profile = ALGORITHM_PROFILES[alg];
  if (profile.signatureLength !== undefined && signature.length !== profile.signatureLength) {
    return false;
  }
  try {
    return verify(profile.hash, Buffer.from(signingInput, 'latin1'), key, signature);
  } catch {
    return false;
  }
}
