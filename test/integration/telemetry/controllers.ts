import { Controller, Get } from '@nestjs/common';
import { CurrentUser, RequireRole } from '../../../src/index.js';

export const ADMIN = 'admin';

@Controller('otel')
export class OtelController {
  @Get('me')
  me(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('admin')
  @RequireRole(ADMIN)
  admin() {
    return { ok: true };
  }
}

/** Claims giving a token the admin role (the default roles claim path). */
export const ADMIN_CLAIMS = { metadata_public: { roles: [ADMIN] } };
