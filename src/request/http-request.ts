import { parse as parseCookieHeader } from 'cookie';
import type { IamRequest } from './iam-request.js';

/** The fields Express and Fastify requests share, which is all the library reads. */
export interface PlatformRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  query?: unknown;
  body?: unknown;
  ip?: string;
  socket?: { remoteAddress?: string };
}

export function isPlatformRequest(value: unknown): value is PlatformRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { headers?: unknown }).headers === 'object' &&
    (value as { headers?: unknown }).headers !== null
  );
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function firstForwarded(value: string | undefined): string | undefined {
  const first = value?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

/** {@link IamRequest} over an Express or Fastify request; the Cookie header is parsed once, on demand. */
export class HttpIamRequest implements IamRequest {
  private cookies: Record<string, string | undefined> | undefined;

  constructor(readonly raw: PlatformRequest) {}

  get method(): string {
    return this.raw.method ?? 'GET';
  }

  get path(): string {
    const url = this.raw.originalUrl ?? this.raw.url ?? '/';
    const queryStart = url.indexOf('?');
    return queryStart === -1 ? url : url.slice(0, queryStart);
  }

  get params(): Readonly<Record<string, string | undefined>> {
    return this.raw.params ?? {};
  }

  get query(): Readonly<Record<string, unknown>> {
    const { query } = this.raw;
    return typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  }

  get body(): unknown {
    return this.raw.body;
  }

  header(name: string): string | undefined {
    return firstValue(this.raw.headers[name.toLowerCase()]);
  }

  cookie(name: string): string | undefined {
    if (this.cookies === undefined) {
      const header = this.header('cookie');
      this.cookies = header === undefined ? {} : parseCookieHeader(header);
    }
    return Object.hasOwn(this.cookies, name) ? this.cookies[name] : undefined;
  }

  clientIp(trustProxy: boolean): string | undefined {
    if (trustProxy) {
      const forwarded = firstForwarded(this.header('x-forwarded-for'));
      if (forwarded !== undefined) return forwarded;
    }
    return this.raw.socket?.remoteAddress ?? this.raw.ip;
  }

  host(trustProxy: boolean): string | undefined {
    const forwarded = trustProxy ? firstForwarded(this.header('x-forwarded-host')) : undefined;
    return forwarded ?? this.header('host');
  }
}
