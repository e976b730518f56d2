import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  Anonymous,
  CurrentUser,
  type IamIdentity,
  Public,
  RequireRole,
  SessionGuard,
  Tenant,
} from '../../../src/index.js';

@Controller('guarded')
export class GuardedController {
  @Get()
  me(@CurrentUser() user: IamIdentity, @Tenant() tenant: string) {
    return { id: user.id, roles: user.roles, tenant };
  }

  @Get('id')
  id(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('public')
  @Public()
  open(@CurrentUser() user: IamIdentity | undefined) {
    return { user: user ?? null };
  }

  @Get('anonymous')
  @Anonymous()
  maybe(@CurrentUser('id') id: string | undefined) {
    return { id: id ?? null };
  }

  @Get('admin')
  @RequireRole('admin', 'owner')
  admin() {
    return { ok: true };
  }

  @Get('both')
  @RequireRole(['admin', 'auditor'], { match: 'all' })
  both() {
    return { ok: true };
  }

  @Get('public-with-role')
  @Public()
  @RequireRole('admin')
  publicWithRole() {
    return { ok: true };
  }
}

@Controller('open-class')
@Public()
export class PublicClassController {
  @Get()
  open() {
    return { ok: true };
  }

  @Get('anonymous')
  @Anonymous()
  maybe(@CurrentUser('id') id: string | undefined) {
    return { id: id ?? null };
  }
}

@Controller('class-role')
@RequireRole('auditor')
export class ClassRoleController {
  @Get()
  audit() {
    return { ok: true };
  }

  @Get('override')
  @RequireRole('admin')
  override() {
    return { ok: true };
  }
}

@Controller('explicit')
export class ExplicitGuardController {
  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('guarded')
  @UseGuards(SessionGuard)
  guarded(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('role')
  @RequireRole('admin')
  role() {
    return { ok: true };
  }
}
