import { describe, expect, it } from 'vitest';
import type { ValidatedCsrfConfig } from '../../../src/config/tenant-config.js';
import { connectionExpiry } from '../../../src/guards/connection-expiry.js';
import type { IamIdentity } from '../../../src/index.js';
import { attachUpgradeRequest } from '../../../src/index.js';
import { upgradeRequestOf } from '../../../src/request/ws-connection.js';
import { WsUpgradeRequest } from '../../../src/request/ws-upgrade-request.js';
import { checkCsrfOrigin } from '../../../src/transport/csrf-origin.js';

const NOW = 1_800_000_000_000;

function identity(via: IamIdentity['via'], expiresAt?: number): IamIdentity {
  return { id: 'alice', tenant: 'default', roles: [], via, kind: 'user', expiresAt };
}

describe('connectionExpiry', () => {
  it.each([
    ['oathkeeper-jwt', 'auth.failure.expired'],
    ['kratos-cookie', 'auth.failure.session_inactive'],
    ['kratos-bearer', 'auth.failure.session_inactive'],
  ] as const)('ends a %s connection at its expiry with %s', (via, code) => {
    expect(connectionExpiry(identity(via, NOW + 1), NOW)).toBeUndefined();
    expect(connectionExpiry(identity(via, NOW), NOW)).toBe(code);
  });

  it('refuses a credential with no expiry to watch (HMAC), but not a testing identity', () => {
    expect(connectionExpiry(identity('oathkeeper-hmac'), NOW)).toBe(
      'auth.failure.unsupported_context',
    );
    expect(connectionExpiry(identity('testing'), NOW)).toBeUndefined();
    expect(connectionExpiry(identity('testing', NOW), NOW)).toBe('auth.failure.session_inactive');
  });
});

describe('upgrade requests', () => {
  const upgrade = { method: 'GET', url: '/chat', headers: { host: 'api.example.com' } };

  it('reads the request a ws socket was given, else the one socket.io keeps, else none', () => {
    const wsSocket = {};
    attachUpgradeRequest(wsSocket, upgrade);
    expect(upgradeRequestOf(wsSocket)).toBe(upgrade);
    expect(upgradeRequestOf({ request: upgrade })).toBe(upgrade);
    expect(upgradeRequestOf({})).toBeUndefined();
    expect(upgradeRequestOf(undefined)).toBeUndefined();
  });

  it('refuses to attach something that is not a request', () => {
    expect(() => attachUpgradeRequest({}, {})).toThrow(TypeError);
  });

  it('refuses a handshake another site made with the cookie (cross-site WebSocket hijacking)', () => {
    const csrf: ValidatedCsrfConfig = { enabled: true, trustedOrigins: [] };
    const handshake = (headers: Record<string, string>) =>
      new WsUpgradeRequest({ ...upgrade, headers: { ...upgrade.headers, ...headers } });
    expect(() =>
      checkCsrfOrigin(
        handshake({ origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' }),
        csrf,
        false,
      ),
    ).toThrow(expect.objectContaining({ code: 'auth.csrf.origin_mismatch' }));
    expect(() => checkCsrfOrigin(handshake({ origin: 'https://evil.test' }), csrf, false)).toThrow(
      expect.objectContaining({ code: 'auth.csrf.origin_mismatch' }),
    );
    expect(() =>
      checkCsrfOrigin(handshake({ origin: 'https://api.example.com' }), csrf, false),
    ).not.toThrow();
  });
});
