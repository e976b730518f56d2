import { NestFactory } from '@nestjs/core';
import { startTelemetry } from '../../telemetry/start-telemetry';
import { AppModule } from './app.module';

async function bootstrap() {
  // Before the app: the library takes its meter when IamModule is built (OTEL_METRICS_PORT set).
  await startTelemetry('orders-api');
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1');
}
bootstrap();
