/** Symbol keys of the route metadata the guards read; symbols cannot collide with an app's keys. */
export const AUTH_MODE_KEY = Symbol.for('nestjs-ory-iam:auth-mode');
export const REQUIRED_ROLES_KEY = Symbol.for('nestjs-ory-iam:required-roles');
export const REQUIRED_PERMISSIONS_KEY = Symbol.for('nestjs-ory-iam:required-permissions');
export const REQUIRED_SCOPES_KEY = Symbol.for('nestjs-ory-iam:required-scopes');
export const REQUIRED_SERVICES_KEY = Symbol.for('nestjs-ory-iam:required-services');

/** `public`: no authentication. `anonymous`: authentication optional, invalid credentials still 401. */
export type AuthMode = 'public' | 'anonymous';
