import { Controller, Get, Post } from '@nestjs/common';
import { anyOf, CurrentUser, RequirePermission } from '../../../src/index.js';

/** The walkthrough's orders controller, with only the import path changed. */
@Controller('orders')
export class WalkthroughOrdersController {
  @Get(':id')
  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => `orders:${req.params.id}`,
  })
  get(@CurrentUser('id') owner: string) {
    return { owner };
  }
}

@Controller('docs')
@RequirePermission({ namespace: 'tenants', relation: 'member', object: 'acme' })
export class StackedController {
  @Get(':id')
  @RequirePermission({
    namespace: 'docs',
    relation: 'view',
    object: (req) => `docs:${req.params.id}`,
  })
  @RequirePermission({
    namespace: 'docs',
    relation: 'audit',
    object: (req) => `docs:${req.params.id}`,
  })
  view() {
    return { ok: true };
  }

  @Post(':id')
  @RequirePermission(
    anyOf([
      { namespace: 'docs', relation: 'edit', object: (req) => `docs:${req.params.id}` },
      { namespace: 'docs', relation: 'own', object: (req) => `docs:${req.params.id}` },
    ]),
  )
  edit() {
    return { ok: true };
  }

  @Get(':id/broken')
  @RequirePermission({
    namespace: 'docs',
    relation: 'view',
    object: () => {
      throw new Error('resolver bug');
    },
  })
  broken() {
    return { ok: true };
  }

  @Get(':id/empty')
  @RequirePermission({
    namespace: 'docs',
    relation: 'view',
    object: (req) => String(req.query.missing ?? ''),
  })
  empty() {
    return { ok: true };
  }

  @Get(':id/group')
  @RequirePermission({
    namespace: 'docs',
    relation: 'view',
    object: (req) => `docs:${req.params.id}`,
    subject: (identity) => ({ namespace: 'groups', object: identity.tenant, relation: 'member' }),
  })
  group() {
    return { ok: true };
  }
}
