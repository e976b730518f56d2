import type { IamSession, IamSessionIdentity } from './iam-session.js';
import { isJsonObject } from './json-values.js';

const FORMAT_VERSION = 1;

interface StoredIdentity {
  id: string;
  state: 'active' | 'inactive';
  roles: readonly string[];
  traits: Readonly<Record<string, unknown>>;
  metadataPublic: Readonly<Record<string, unknown>> | null;
}

interface StoredSession {
  v: typeof FORMAT_VERSION;
  id: string;
  active: boolean;
  expiresAt: number | null;
  authenticatedAt: number | null;
  issuedAt: number | null;
  aal: string | null;
  identity: StoredIdentity;
}

const time = (date: Date | undefined): number | null => date?.getTime() ?? null;

/** The cache's JSON form of a session and its identity (sessions without one are not cached). */
export function serializeSession(session: IamSession, identity: IamSessionIdentity): string {
  const stored: StoredSession = {
    v: FORMAT_VERSION,
    id: session.id,
    active: session.active,
    expiresAt: time(session.expiresAt),
    authenticatedAt: time(session.authenticatedAt),
    issuedAt: time(session.issuedAt),
    aal: session.aal ?? null,
    identity: {
      id: identity.id,
      state: identity.state,
      roles: identity.roles,
      traits: identity.traits,
      metadataPublic: identity.metadataPublic ?? null,
    },
  };
  return JSON.stringify(stored);
}

function dateOf(value: unknown): Date | undefined | false {
  if (value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value) : false;
}

function identityOf(value: unknown, tenant: string): IamSessionIdentity | undefined {
  if (!isJsonObject(value)) return undefined;
  const { id, state, roles, traits, metadataPublic } = value;
  if (typeof id !== 'string' || (state !== 'active' && state !== 'inactive')) return undefined;
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) return undefined;
  if (!isJsonObject(traits) || (metadataPublic !== null && !isJsonObject(metadataPublic)))
    return undefined;
  return {
    id,
    tenant,
    state,
    roles,
    traits,
    metadataPublic: metadataPublic ?? undefined,
  };
}

/**
 * Reads a cached session back; anything that is not exactly what {@link serializeSession} writes
 * (another version, a foreign value, a corrupt one) is a miss.
 */
export function deserializeSession(stored: string, tenant: string): IamSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return undefined;
  }
  if (!isJsonObject(value) || value.v !== FORMAT_VERSION) return undefined;
  const { id, active, aal } = value;
  const expiresAt = dateOf(value.expiresAt);
  const authenticatedAt = dateOf(value.authenticatedAt);
  const issuedAt = dateOf(value.issuedAt);
  const identity = identityOf(value.identity, tenant);
  if (typeof id !== 'string' || typeof active !== 'boolean' || identity === undefined) {
    return undefined;
  }
  if (expiresAt === false || authenticatedAt === false || issuedAt === false) return undefined;
  if (aal !== null && typeof aal !== 'string') return undefined;
  return { id, active, expiresAt, authenticatedAt, issuedAt, aal: aal ?? undefined, identity };
}
