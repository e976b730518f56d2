/**
 * The six kinds of route of the matrix, once as HTTP handlers and once as GraphQL queries, with the
 * same decorators. Each handler records that it ran and for whom, so a test can prove that a
 * refused request ran nothing.
 */
import { Controller, Get } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import {
  Anonymous,
  CurrentUser,
  Public,
  RequirePermission,
  RequireRole,
} from '../../../src/index.js';

export const ROUTE_KINDS = [
  'public',
  'anonymous',
  'authenticated',
  'role',
  'permission',
  'role + permission',
] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** The role a route of kind `role` requires, read from `metadata_public.roles` or the claims. */
export const ROLE = 'admin';
/** The Keto check of the `permission` routes: `orders:matrix-order#view@<identity id>`. */
export const PERMISSION = {
  namespace: 'orders',
  relation: 'view',
  object: 'matrix-order',
} as const;

/** Where each kind lives: the HTTP path and the GraphQL query field. */
export const ROUTES: Readonly<Record<RouteKind, { path: string; field: string }>> = {
  public: { path: '/matrix/public', field: 'publicRoute' },
  anonymous: { path: '/matrix/anonymous', field: 'anonymousRoute' },
  authenticated: { path: '/matrix/authenticated', field: 'authenticatedRoute' },
  role: { path: '/matrix/role', field: 'roleRoute' },
  permission: { path: '/matrix/permission', field: 'permissionRoute' },
  'role + permission': { path: '/matrix/role-permission', field: 'rolePermissionRoute' },
};

/** `<kind> by <identity id>` (or `by nobody`) for every handler that ran, in order. */
export const handlerRuns: string[] = [];

function ran(kind: RouteKind, caller: string | undefined): string {
  const entry = `${kind} by ${caller ?? 'nobody'}`;
  handlerRuns.push(entry);
  return entry;
}

@Controller('matrix')
export class MatrixController {
  @Get('public')
  @Public()
  public(@CurrentUser('id') caller?: string) {
    return { ran: ran('public', caller) };
  }

  @Get('anonymous')
  @Anonymous()
  anonymous(@CurrentUser('id') caller?: string) {
    return { ran: ran('anonymous', caller) };
  }

  @Get('authenticated')
  authenticated(@CurrentUser('id') caller?: string) {
    return { ran: ran('authenticated', caller) };
  }

  @Get('role')
  @RequireRole(ROLE)
  role(@CurrentUser('id') caller?: string) {
    return { ran: ran('role', caller) };
  }

  @Get('permission')
  @RequirePermission(PERMISSION)
  permission(@CurrentUser('id') caller?: string) {
    return { ran: ran('permission', caller) };
  }

  @Get('role-permission')
  @RequireRole(ROLE)
  @RequirePermission(PERMISSION)
  rolePermission(@CurrentUser('id') caller?: string) {
    return { ran: ran('role + permission', caller) };
  }
}

/** Nullable fields, so a refused field reports its own error instead of nulling `data`. */
@Resolver()
export class MatrixResolver {
  @Query(() => String, { nullable: true })
  @Public()
  publicRoute(@CurrentUser('id') caller?: string): string {
    return ran('public', caller);
  }

  @Query(() => String, { nullable: true })
  @Anonymous()
  anonymousRoute(@CurrentUser('id') caller?: string): string {
    return ran('anonymous', caller);
  }

  @Query(() => String, { nullable: true })
  authenticatedRoute(@CurrentUser('id') caller?: string): string {
    return ran('authenticated', caller);
  }

  @Query(() => String, { nullable: true })
  @RequireRole(ROLE)
  roleRoute(@CurrentUser('id') caller?: string): string {
    return ran('role', caller);
  }

  @Query(() => String, { nullable: true })
  @RequirePermission(PERMISSION)
  permissionRoute(@CurrentUser('id') caller?: string): string {
    return ran('permission', caller);
  }

  @Query(() => String, { nullable: true })
  @RequireRole(ROLE)
  @RequirePermission(PERMISSION)
  rolePermissionRoute(@CurrentUser('id') caller?: string): string {
    return ran('role + permission', caller);
  }
}
