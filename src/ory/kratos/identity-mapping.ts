import type {
  CreateIdentityBody,
  IdentityWithCredentials,
  JsonPatch,
  UpdateIdentityBody,
} from '@ory/client';
import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { invalidIdentityRequest } from './identity-errors.js';
import type {
  IamIdentityCreate,
  IamIdentityPatchOperation,
  IamIdentityRecord,
  IamIdentityUpdate,
  IamPasswordInput,
  IamRecoveryAddress,
  IamVerifiableAddress,
} from './identity-types.js';
import { isJsonObject, optionalDate, optionalString } from './json-values.js';
import { identityFromKratos, KratosSessionShapeError } from './session-mapping.js';

function verifiableAddressesOf(value: unknown): IamVerifiableAddress[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((address) => ({
    value: optionalString(address.value) ?? '',
    via: optionalString(address.via) ?? '',
    verified: address.verified === true,
    status: optionalString(address.status) ?? '',
    verifiedAt: optionalDate(address.verified_at),
  }));
}

function recoveryAddressesOf(value: unknown): IamRecoveryAddress[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((address) => ({
    value: optionalString(address.value) ?? '',
    via: optionalString(address.via) ?? '',
  }));
}

/**
 * Maps an identity from Kratos' admin API to an {@link IamIdentityRecord}. Credentials are left
 * out whatever Kratos includes. Throws `KratosSessionShapeError` for a body without an id.
 */
export function recordFromKratos(tenant: ValidatedTenantConfig, value: unknown): IamIdentityRecord {
  const identity = identityFromKratos(tenant, value);
  if (!isJsonObject(value)) throw new KratosSessionShapeError('identity');
  return {
    ...identity,
    schemaId: optionalString(value.schema_id) ?? '',
    metadataAdmin: isJsonObject(value.metadata_admin) ? value.metadata_admin : undefined,
    createdAt: optionalDate(value.created_at),
    updatedAt: optionalDate(value.updated_at),
    stateChangedAt: optionalDate(value.state_changed_at),
    verifiableAddresses: verifiableAddressesOf(value.verifiable_addresses),
    recoveryAddresses: recoveryAddressesOf(value.recovery_addresses),
  };
}

function credentialsOf(
  credentials: { readonly password?: IamPasswordInput } | undefined,
): IdentityWithCredentials | undefined {
  const password = credentials?.password;
  if (password === undefined) return undefined;
  if ((password.password === undefined) === (password.hashedPassword === undefined)) {
    throw invalidIdentityRequest(
      'credentials.password needs exactly one of password and hashedPassword.',
    );
  }
  return {
    password: {
      config: { password: password.password, hashed_password: password.hashedPassword },
    },
  };
}

/** Kratos' body for creating (or importing) an identity. */
export function createBodyOf(identity: IamIdentityCreate): CreateIdentityBody {
  return {
    // An empty schema id makes Kratos use its `identity.default_schema_id`.
    schema_id: identity.schemaId ?? '',
    traits: identity.traits,
    state: identity.state,
    metadata_public: identity.metadataPublic,
    metadata_admin: identity.metadataAdmin,
    credentials: credentialsOf(identity.credentials),
  };
}

/** Kratos' body for replacing an identity (PUT). */
export function updateBodyOf(identity: IamIdentityUpdate): UpdateIdentityBody {
  return {
    // Kratos keeps the current schema for an empty one.
    schema_id: identity.schemaId ?? '',
    traits: identity.traits,
    state: identity.state,
    metadata_public: identity.metadataPublic,
    metadata_admin: identity.metadataAdmin,
    credentials: credentialsOf(identity.credentials),
  };
}

/** The record's field names and Kratos' names for them: the only fields a patch may touch. */
const PATCHABLE_FIELDS: Readonly<Record<string, string>> = {
  traits: 'traits',
  metadataPublic: 'metadata_public',
  metadataAdmin: 'metadata_admin',
  state: 'state',
  schemaId: 'schema_id',
};

function kratosPathOf(path: string): string {
  const match = /^\/([^/]+)(\/.*)?$/.exec(path);
  const field = match?.[1];
  const kratosField =
    field !== undefined && Object.hasOwn(PATCHABLE_FIELDS, field)
      ? PATCHABLE_FIELDS[field]
      : undefined;
  if (kratosField === undefined) {
    throw invalidIdentityRequest(
      `Patch path "${path}" must start with /${Object.keys(PATCHABLE_FIELDS).join(', /')}.`,
    );
  }
  return `/${kratosField}${match?.[2] ?? ''}`;
}

const PATCH_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Translates patch operations from the record's field names to Kratos'. Throws a 400
 * `identity.invalid_request` for an unknown operation or a path outside the patchable fields.
 */
export function kratosPatchOf(operations: readonly IamIdentityPatchOperation[]): JsonPatch[] {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidIdentityRequest('A patch needs at least one operation.');
  }
  return operations.map((operation) => {
    if (!PATCH_OPS.has(operation.op)) {
      throw invalidIdentityRequest(`Unknown patch operation "${String(operation.op)}".`);
    }
    return {
      op: operation.op,
      path: kratosPathOf(operation.path),
      ...(operation.from === undefined ? {} : { from: kratosPathOf(operation.from) }),
      ...('value' in operation ? { value: operation.value } : {}),
    };
  });
}
