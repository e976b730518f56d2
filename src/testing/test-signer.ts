import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALGORITHM_PROFILES } from '../jwt/jwt-algorithms.js';

export type TestSignerAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface TestSignerOptions {
  /** Default `RS256`. */
  alg?: TestSignerAlgorithm;
  /** Default: a random id. */
  kid?: string;
}

export interface MintOptions {
  /** Replaces or adds header fields (e.g. `{ alg: 'none' }` to build a forged token). */
  header?: Record<string, unknown>;
  /** Signs with this key of the signer instead of the current one. */
  kid?: string;
  /** Signs with a fresh key that is not in the JWKS: a forgery. */
  forge?: boolean;
}

/** A public JWK as served in a JWKS. */
export type PublicJwk = Record<string, unknown> & { kid: string; kty: string };

/** The JWKS endpoint a {@link TestSigner} serves on loopback. */
export interface TestJwksServer {
  readonly url: string;
  /** How many times the JWKS was fetched. */
  readonly fetchCount: number;
  /** false: answer 503 (the endpoint is down). */
  setAvailable(available: boolean): void;
  /** Delay every answer by this many milliseconds. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly alg: TestSignerAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

/**
 * The generating job's keys encoded (DER) and imported again: never the job's own KeyObjects.
 * Node 20 can deadlock when a garbage collection, run while a key is exported to a JWK, destroys
 * the job that generated that key: a test run hung with `KeyObjectHandle::ExportJWK` -> GC ->
 * `~KeyGenJob` waiting on a lock. The job encodes its keys while it is still alive, and keys
 * imported from that encoding are not the job's.
 */
function generateDer(alg: TestSignerAlgorithm): { publicKey: Buffer; privateKey: Buffer } {
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  if (alg === 'ES256') {
    return generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding,
      privateKeyEncoding,
    });
  }
  if (alg === 'EdDSA') {
    return generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding });
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding });
}

function generate(alg: TestSignerAlgorithm, kid: string): SigningKey {
  const pair = generateDer(alg);
  const publicKey = createPublicKey({ key: pair.publicKey, format: 'der', type: 'spki' });
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as PublicJwk;
  const privateKey = createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' });
  return { kid, alg, privateKey, publicJwk };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Mints JWTs the way Oathkeeper's `id_token` mutator does and serves their JWKS on loopback, for
 * tests that exercise the real verification path. Claims default to a valid token (`sub`, `jti`,
 * `iat`/`nbf` now, `exp` in 60 s); pass `undefined` for a claim to leave it out.
 */
export class TestSigner {
  private readonly keys: SigningKey[] = [];

  private constructor(first: SigningKey) {
    this.keys.push(first);
  }

  static create(options: TestSignerOptions = {}): TestSigner {
    // `this`, not the class's own name, which would make the build name it `_` + name
    // (see tsconfig.build.json).
    return new this(generate(options.alg ?? 'RS256', options.kid ?? randomUUID()));
  }

  /** The kid new tokens are signed with (the first key, as in Oathkeeper). */
  get currentKid(): string {
    return (this.keys[0] as SigningKey).kid;
  }

  mint(claims: Record<string, unknown> = {}, options: MintOptions = {}): string {
    const now = Math.floor(Date.now() / 1_000);
    const key = this.signingKey(options);
    const payload: Record<string, unknown> = {
      sub: 'test-user',
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 60,
    };
    for (const [name, value] of Object.entries(claims)) {
      if (value === undefined) delete payload[name];
      else payload[name] = value;
    }
    const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header };
    const signingInput = `${encode(header)}.${encode(payload)}`;
    const profile = ALGORITHM_PROFILES[key.alg];
    const signature = sign(profile.hash, Buffer.from(signingInput), {
      key: key.privateKey,
      padding: profile.padding,
      saltLength: profile.saltLength,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** The public JWKS, signing key first. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Rotation: adds a key that signs from now on; the old ones stay in the JWKS. Returns its kid. */
  addKey(options: TestSignerOptions = {}): string {
    const key = generate(
      options.alg ?? (this.keys[0] as SigningKey).alg,
      options.kid ?? randomUUID(),
    );
    this.keys.unshift(key);
    return key.kid;
  }

  removeKey(kid: string): void {
    const index = this.keys.findIndex((key) => key.kid === kid);
    if (index !== -1 && this.keys.length > 1) this.keys.splice(index, 1);
  }

  /** Serves the JWKS on 127.0.0.1 at a free port. */
  async serve(): Promise<TestJwksServer> {
    let fetchCount = 0;
    let available = true;
    let delayMs = 0;
    const server: Server = createServer((_request, response) => {
      fetchCount += 1;
      setTimeout(() => {
        if (!available) {
          response.writeHead(503).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(this.jwks()));
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      get fetchCount() {
        return fetchCount;
      },
      setAvailable: (value) => {
        available = value;
      },
      setDelay: (ms) => {
        delayMs = ms;
      },
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  private signingKey(options: MintOptions): SigningKey {
    if (options.forge === true) {
      const current = this.keys[0] as SigningKey;
      return generate(current.alg, current.kid);
    }
    if (options.kid === undefined) return this.keys[0] as SigningKey;
    const key = this.keys.find((candidate) => candidate.kid === options.kid);
    if (key === undefined) throw new Error(`TestSigner has no key ${options.kid}`);
    return key;
  }
}
