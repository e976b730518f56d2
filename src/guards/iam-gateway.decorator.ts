import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { IamWsExceptionFilter } from './iam-ws-exception.filter.js';
import { PermissionGuard } from './permission.guard.js';
import { RoleGuard } from './role.guard.js';
import { ServiceGuard } from './service.guard.js';
import { SessionGuard } from './session.guard.js';

/**
 * Protects a WebSocket gateway with the library's guards, next to `@WebSocketGateway()`: every
 * message handler is authenticated unless `@Public()`, and `@Anonymous`, `@RequireRole`,
 * `@RequirePermission`, `@RequireScope`, `@RequireService` and `@CurrentUser` work as on a
 * controller (users and services kept apart, as ServiceGuard does for the global guard). Nest never applies global
 * guards (the module's `APP_GUARD` included) to gateways, so a gateway without it, or without
 * guards of its own, is not checked at all. Also applies {@link IamWsExceptionFilter}, so a refused
 * message tells the client its stable `code`.
 */
export const IamGateway = (): ClassDecorator =>
  applyDecorators(
    UseGuards(SessionGuard, ServiceGuard, RoleGuard, PermissionGuard),
    UseFilters(IamWsExceptionFilter),
  );
