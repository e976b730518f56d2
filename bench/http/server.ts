/**
 * One server variant of `bench/http`, in its own process so that `process.cpuUsage()` is its own.
 * Started by run.ts with `node --import tsx` and `TSX_TSCONFIG_PATH=bench/http/tsconfig.json`, which
 * drops the repo's `paths`: `nestjs-ory-iam` then resolves to the built `dist/`, what users get.
 * Talks to run.ts over IPC: `ready` with its port, then answers `cpu` with its CPU time.
 */

import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { appModule, type Kind, type Platform } from './app-module.js';

export type { Kind, Platform } from './app-module.js';

let inspector: Session | undefined;

/**
 * V8's sampling heap profiler, keeping the samples of objects the collectors have freed too: what
 * a request allocates, not what it leaves alive (bench/http/allocations.ts).
 */
async function startAllocationSampling(): Promise<void> {
  inspector = new Session();
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

async function stopAllocationSampling(file: string): Promise<void> {
  if (inspector === undefined) throw new Error('alloc-stop without alloc-start');
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  inspector.disconnect();
  inspector = undefined;
  writeFileSync(file, JSON.stringify(profile));
}

async function main(): Promise<void> {
  const [platform, kind, jwksUrl] = process.argv.slice(2) as [Platform, Kind, string];
  const baseline = process.env.BENCH_BASELINE_LIBRARY;
  const specifier =
    kind.endsWith('-baseline') && baseline !== undefined ? baseline : 'nestjs-ory-iam';
  const library = (await import(specifier)) as typeof import('nestjs-ory-iam');
  const module = appModule(kind, jwksUrl, library);
  const options = { logger: ['error' as const, 'warn' as const] };
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.on('message', (message: { type: string; file?: string }) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', user, system });
    } else if (message.type === 'alloc-start') {
      void startAllocationSampling().then(() => process.send?.({ type: 'alloc-started' }));
    } else if (message.type === 'alloc-stop') {
      void stopAllocationSampling(String(message.file)).then(() =>
        process.send?.({ type: 'alloc-stopped' }),
      );
    } else if (message.type === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.({
    type: 'ready',
    port: address.port,
    library: import.meta.resolve(specifier),
  });
}

await main();
