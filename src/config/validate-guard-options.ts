import type { IamErrorMapper } from '../errors/error-mapping.js';
import type { ConfigSection } from './config-section.js';
import { DEFAULT_ROLE_COMBINATION, ROLE_COMBINATIONS } from './defaults.js';
import { describeValue } from './describe-value.js';
import type { ValidatedIamOptions } from './module-options.js';

/** Validates `roles` (how class and handler `@RequireRole` combine) and applies its default. */
export function validateRolesOption(options: ConfigSection): ValidatedIamOptions['roles'] {
  const roles = options.section('roles');
  if (roles === undefined) return Object.freeze({ combine: DEFAULT_ROLE_COMBINATION });
  roles.allowOnly(['combine']);
  return Object.freeze({
    combine: roles.oneOf('combine', ROLE_COMBINATIONS, DEFAULT_ROLE_COMBINATION),
  });
}

/** Validates `errors`; its `map` is the app's own function, kept as given. */
export function validateErrorsOption(options: ConfigSection): ValidatedIamOptions['errors'] {
  const errors = options.section('errors');
  if (errors === undefined) return Object.freeze({});
  errors.allowOnly(['map']);
  const map = errors.raw('map');
  if (map === undefined) return Object.freeze({});
  if (typeof map !== 'function') {
    errors.problem(
      'map',
      `must be a function (error, context) => exception, body or undefined, got ${describeValue(map, false)}`,
    );
    return Object.freeze({});
  }
  return Object.freeze({ map: map as IamErrorMapper });
}
