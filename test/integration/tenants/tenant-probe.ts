import { Controller, Get } from '@nestjs/common';
import {
  AUDIT_SINK,
  CurrentUser,
  type IamAuditEvent,
  type IamIdentity,
  IamModule,
  type IamModuleOptions,
  RequireRole,
} from '../../../src/index.js';
import { type Platform, type RunningApp, startApp } from '../../support/nest-app.js';

@Controller()
class TenantProbeController {
  @Get('me')
  me(@CurrentUser() user: IamIdentity) {
    return user;
  }

  @Get('admin')
  @RequireRole('admin')
  admin(@CurrentUser('tenant') tenant: string) {
    return { admin: true, tenant };
  }
}

export interface TenantApp extends RunningApp {
  readonly events: IamAuditEvent[];
}

/** A Nest app guarded by IamModule with these options, `/me` and an admin-only `/admin`. */
export async function startTenantApp(
  platform: Platform,
  options: IamModuleOptions,
): Promise<TenantApp> {
  const events: IamAuditEvent[] = [];
  const running = await startApp(
    {
      imports: [IamModule.forRoot(options)],
      controllers: [TenantProbeController],
      providers: [
        { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
      ],
    },
    platform,
  );
  return { ...running, events };
}
