import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

export interface RunningApp {
  readonly app: INestApplication;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Boots a real Nest app on a loopback port with the given adapter; `prepare` sees the app before
 * it listens (e.g. to choose its WebSocket adapter).
 */
export async function startApp(
  metadata: ModuleMetadata,
  platform: Platform,
  customize: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
  prepare: (app: INestApplication) => void = () => {},
): Promise<RunningApp> {
  const moduleRef = await customize(Test.createTestingModule(metadata)).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  prepare(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

/** One HTTP request; the body is parsed as JSON when there is one. */
export async function request(
  url: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

/**
 * Sends until an answer has `status` (a server restarting meanwhile), or gives up after
 * `timeoutMs`; pauses 25 ms between tries to leave the CPU to the restarting server.
 */
export async function firstAnswerWith(
  status: number,
  send: () => Promise<JsonResponse>,
  timeoutMs: number,
): Promise<JsonResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await send();
    if (response.status === status) return response;
    if (Date.now() > deadline) {
      throw new Error(`no ${status} within ${timeoutMs} ms (last: ${response.status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
