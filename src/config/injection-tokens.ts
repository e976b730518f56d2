/** Validated options, the result of `validateIamOptions` on what forRoot/forRootAsync received. */
export const IAM_VALIDATED_OPTIONS = Symbol.for('nestjs-ory-iam:VALIDATED_OPTIONS');

/** Replaces every tenant's transport; used by `IamTestingModule`, not meant for production. */
export const IAM_TRANSPORT_OVERRIDE = Symbol.for('nestjs-ory-iam:TRANSPORT_OVERRIDE');
