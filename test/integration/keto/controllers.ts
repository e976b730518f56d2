import { applyDecorators, Controller, Get } from '@nestjs/common';
import { anyOf, CurrentUser, RequirePermission } from '../../../src/index.js';

/** The group whose members the class-level decorator of {@link StaffDocsController} requires. */
export const STAFF_GROUP = 'staff';

/** How many checks `/listings/batch/:prefix` sends in one request. */
export const BATCH_CHECKS = 25;

@Controller('listings')
export class ListingsController {
  /** `listings:<id>#view` for the verified identity. */
  @Get(':id')
  @RequirePermission({
    namespace: 'listings',
    relation: 'view',
    object: (req) => req.params.id ?? '',
  })
  view(@CurrentUser('id') id: string) {
    return { id };
  }

  /** Two stacked decorators: view AND edit. */
  @Get(':id/edit')
  @RequirePermission({
    namespace: 'listings',
    relation: 'view',
    object: (req) => req.params.id ?? '',
  })
  @RequirePermission({
    namespace: 'listings',
    relation: 'edit',
    object: (req) => req.params.id ?? '',
  })
  edit() {
    return { ok: true };
  }

  /** edit OR owner. */
  @Get(':id/any')
  @RequirePermission(
    anyOf([
      { namespace: 'listings', relation: 'edit', object: (req) => req.params.id ?? '' },
      { namespace: 'listings', relation: 'owner', object: (req) => req.params.id ?? '' },
    ]),
  )
  any() {
    return { ok: true };
  }

  /** The subject is a subject set derived from the verified `team` claim: the team's members. */
  @Get(':id/team')
  @RequirePermission({
    namespace: 'listings',
    relation: 'view',
    object: (req) => req.params.id ?? '',
    subject: (identity) => ({
      namespace: 'groups',
      object: String(identity.claims?.team ?? ''),
      relation: 'member',
    }),
  })
  team() {
    return { ok: true };
  }

  /** {@link BATCH_CHECKS} requirements: `listings:<prefix>-<i>#view` for i in 0..24. */
  @Get('batch/:prefix')
  @applyDecorators(
    ...Array.from({ length: BATCH_CHECKS }, (_, index) =>
      RequirePermission({
        namespace: 'listings',
        relation: 'view',
        object: (req) => `${req.params.prefix ?? ''}-${index}`,
      }),
    ),
  )
  batch() {
    return { ok: true };
  }
}

/** A class requirement (staff membership) and a method requirement: both must hold. */
@Controller('staff-docs')
@RequirePermission({ namespace: 'groups', relation: 'member', object: STAFF_GROUP })
export class StaffDocsController {
  @Get(':id')
  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => req.params.id ?? '',
  })
  view() {
    return { ok: true };
  }
}
