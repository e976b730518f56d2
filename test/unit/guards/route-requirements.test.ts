import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import { routeRequirementsOf } from '../../../src/guards/route-requirements.js';
import { Anonymous, Public, RequirePermission, RequireRole } from '../../../src/index.js';

const reflector = new Reflector();

function requirementsOf(controller: object, handler: (...args: never[]) => unknown) {
  return routeRequirementsOf(
    reflector,
    new ExecutionContextHost([], controller as never, handler as never),
  );
}

const read = { namespace: 'Order', relation: 'view', object: 'o1' };
const edit = { namespace: 'Order', relation: 'edit', object: 'o1' };

@Controller()
@RequireRole('staff')
@RequirePermission(read)
class Orders {
  @Get()
  list() {}

  @Get('open')
  @Public()
  open() {}

  @Get('admin')
  @RequireRole('admin')
  @RequirePermission(edit)
  admin() {}
}

@Anonymous()
class Plain {
  @Get()
  list() {}
}

// Inherits Orders' handler functions but not its class decorators.
class PublicOrders extends Orders {}
Public()(PublicOrders);

describe('routeRequirementsOf', () => {
  it('lists the handler role before the class role and adds class and handler permissions', () => {
    const admin = requirementsOf(Orders, Orders.prototype.admin);
    expect(admin.roles.map((requirement) => requirement.roles)).toEqual([['admin'], ['staff']]);
    expect(admin.permissions).toEqual([read, edit]);
    expect(admin.needsIdentity).toBe(true);
    expect(admin.mode).toBeUndefined();
  });

  it('reads the handler mode before the class mode, and class requirements still need an identity', () => {
    const open = requirementsOf(Orders, Orders.prototype.open);
    expect(open.mode).toBe('public');
    expect(open.roles.map((requirement) => requirement.roles)).toEqual([['staff']]);
    expect(open.needsIdentity).toBe(true);
    const plain = requirementsOf(Plain, Plain.prototype.list);
    expect(plain).toMatchObject({ mode: 'anonymous', roles: [], needsIdentity: false });
    expect(plain.permissions).toEqual([]);
  });

  it('keeps a subclass apart from its parent although they share the handler function', () => {
    expect(requirementsOf(Orders, Orders.prototype.list).mode).toBeUndefined();
    const inherited = requirementsOf(PublicOrders, PublicOrders.prototype.list);
    expect(PublicOrders.prototype.list).toBe(Orders.prototype.list);
    expect(inherited.mode).toBe('public');
    expect(requirementsOf(Orders, Orders.prototype.list).mode).toBeUndefined();
  });

  it('answers the same frozen object for the same route', () => {
    const first = requirementsOf(Orders, Orders.prototype.admin);
    expect(requirementsOf(Orders, Orders.prototype.admin)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.permissions)).toBe(true);
  });
});
