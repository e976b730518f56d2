import { NestFactory } from '@nestjs/core';
import { startTelemetry } from '../../telemetry/start-telemetry';
import { AppModule } from './app.module';

async function bootstrap() {
  // Before the app: the library takes its meter when IamModule is built (OTEL_METRICS_PORT set).
  await startTelemetry('auth-bff');
  const app = await NestFactory.create(AppModule);
  app.enableCors({ origin: process.env.CORS_ORIGIN ?? 'http://localhost:4455', credentials: true });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
}
bootstrap();
