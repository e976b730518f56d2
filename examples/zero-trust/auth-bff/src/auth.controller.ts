import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { FlowService, Public } from 'nestjs-ory-iam';

/** The walkthrough's controller: Kratos native flows, proxied for clients behind Oathkeeper. */
@Controller('auth')
@Public()
export class AuthController {
  constructor(private readonly flows: FlowService) {}

  @Get('login')
  initiateLogin(@Query('returnTo') returnTo?: string) {
    return this.flows.forTenant('default').initiateLogin({ returnTo });
  }

  @Post('login/:flowId')
  submitLogin(@Param('flowId') id: string, @Body() body: unknown) {
    return this.flows.forTenant('default').submitLogin(id, body);
  }

  @Get('registration')
  initiateRegistration() {
    return this.flows.forTenant('default').initiateRegistration();
  }

  @Post('registration/:flowId')
  submitRegistration(@Param('flowId') id: string, @Body() body: unknown) {
    return this.flows.forTenant('default').submitRegistration(id, body);
  }
}
