import { KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import type { JwtAlgorithm } from '../config/tenant-config.js';
import {
  ALGORITHM_PROFILES,
  isSupportedAlgorithm,
  MIN_RSA_MODULUS_BITS,
} from './jwt-algorithms.js';

/** One JWKS key, imported once, with the exact `crypto.verify` input for each algorithm it serves. */
export interface ImportedKey {
  readonly kid: string | undefined;
  readonly verifyInputs: ReadonlyMap<JwtAlgorithm, VerifyKeyObjectInput>;
}

const CURVE_ALGORITHM: Readonly<Record<string, JwtAlgorithm>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  Ed25519: 'EdDSA',
};

/** Algorithms a JWK may verify: its own `alg` when it names one, else what its type and curve allow. */
function algorithmsFor(jwk: JWK, accepted: readonly JwtAlgorithm[]): JwtAlgorithm[] {
  let candidates: JwtAlgorithm[];
  if (jwk.kty === 'RSA') {
    candidates = accepted.filter((alg) => ALGORITHM_PROFILES[alg].keyType === 'rsa');
  } else if ((jwk.kty === 'EC' || jwk.kty === 'OKP') && typeof jwk.crv === 'string') {
    const alg = CURVE_ALGORITHM[jwk.crv];
    candidates = alg === undefined ? [] : [alg];
  } else {
    candidates = [];
  }
  if (jwk.alg !== undefined) {
    return isSupportedAlgorithm(jwk.alg) &&
      candidates.includes(jwk.alg) &&
      accepted.includes(jwk.alg)
      ? [jwk.alg]
      : [];
  }
  return candidates.filter((alg) => accepted.includes(alg));
}

/** Keys meant for encryption, private keys and keys that may not verify are never used. */
function isVerificationKey(jwk: JWK): boolean {
  if (jwk.d !== undefined) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  return jwk.key_ops === undefined || jwk.key_ops.includes('verify');
}

function keyFitsProfile(key: KeyObject, alg: JwtAlgorithm): boolean {
  const profile = ALGORITHM_PROFILES[alg];
  const details = key.asymmetricKeyDetails;
  switch (profile.keyType) {
    case 'rsa':
      return (
        (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
        (details?.modulusLength ?? 0) >= MIN_RSA_MODULUS_BITS
      );
    case 'ec':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === profile.curve;
    default:
      return key.asymmetricKeyType === 'ed25519';
  }
}

function verifyInput(key: KeyObject, alg: JwtAlgorithm): VerifyKeyObjectInput {
  const profile = ALGORITHM_PROFILES[alg];
  if (profile.keyType === 'rsa') {
    return { key, padding: profile.padding, saltLength: profile.saltLength };
  }
  if (profile.keyType === 'ec') return { key, dsaEncoding: 'ieee-p1363' };
  return { key };
}

/**
 * Imports one JWK through jose and keeps it as a node KeyObject. Answers undefined for keys the
 * verifier must not use (private, encryption, unsupported, weak RSA), which are skipped rather
 * than failing the whole set.
 */
export async function importVerificationKey(
  jwk: JWK,
  accepted: readonly JwtAlgorithm[],
): Promise<ImportedKey | undefined> {
  if (!isVerificationKey(jwk)) return undefined;
  const algorithms = algorithmsFor(jwk, accepted);
  const first = algorithms[0];
  if (first === undefined) return undefined;
  let key: KeyObject;
  try {
    // An RS256 import gives a plain RSA KeyObject, which node can verify with PKCS#1 and PSS alike.
    const imported = await importJWK(jwk, jwk.kty === 'RSA' ? 'RS256' : first);
    if (imported instanceof Uint8Array) return undefined;
    key = KeyObject.from(imported);
  } catch {
    return undefined;
  }
  const verifyInputs = new Map<JwtAlgorithm, VerifyKeyObjectInput>();
  for (const alg of algorithms) {
    if (keyFitsProfile(key, alg)) verifyInputs.set(alg, verifyInput(key, alg));
  }
  if (verifyInputs.size === 0) return undefined;
  return { kid: typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined, verifyInputs };
}
