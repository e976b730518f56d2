import { Module } from '@nestjs/common';
import { IamModule } from 'nestjs-ory-iam';
import { AuthController } from './auth.controller';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;

@Module({
  imports: [
    IamModule.forRoot({
      global: false, // routes default to public: users are not logged in yet
      tenants: {
        default: {
          mode: 'self-hosted',
          transport: 'cookie-or-bearer',
          trustProxy: true,
          kratos: {
            publicUrl: env('KRATOS_PUBLIC_URL', 'http://127.0.0.1:4433'),
            adminUrl: env('KRATOS_ADMIN_URL', 'http://127.0.0.1:4434'),
            adminToken: 'local-dev-no-auth',
          },
        },
      },
    }),
  ],
  controllers: [AuthController],
})
export class AppModule {}
