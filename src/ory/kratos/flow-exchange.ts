import type { FrontendApi } from '@ory/client';
import type { RawAxiosRequestConfig } from 'axios';
import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { IamUnauthorizedError, IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { callOry, type OryResponse } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';
import {
  continueWithOf,
  errorMessagesOf,
  flowFailure,
  flowFromKratos,
  invalidBodyError,
  isFlowBody,
  KratosFlowShapeError,
  kratosCookies,
  redirectOf,
  sessionTokenOfContinueWith,
  setCookiesOf,
} from './flow-mapping.js';
import type {
  IamAuthSuccess,
  IamFlow,
  IamFlowInvalid,
  IamFlowMode,
  IamFlowProgress,
  IamFlowRedirect,
  IamFlowTransport,
  IamFlowType,
  IamSessionFlowOptions,
} from './flow-types.js';
import { isJsonObject } from './json-values.js';
import { type KratosId, kratosIdOf } from './kratos-ids.js';
import {
  identityFromKratos,
  KratosSessionShapeError,
  sessionFromKratos,
} from './session-mapping.js';

const DEFAULT_METHOD: Readonly<Partial<Record<IamFlowType, string>>> = {
  login: 'password',
  registration: 'password',
  recovery: 'code',
  verification: 'code',
};

export type Call = (
  frontend: FrontendApi,
  options: RawAxiosRequestConfig,
) => Promise<OryResponse<unknown>>;

export interface Accepted {
  readonly data: unknown;
  readonly setCookies: string[];
}

/**
 * The Kratos exchanges every flow shares: the call itself (cookies, timeouts, 4xx handed back with
 * their headers), body and id checks, and mapping answers to results.
 */
export class KratosFlowExchange {
  constructor(
    readonly tenant: ValidatedTenantConfig,
    private readonly clients: KratosClients,
  ) {}

  async initiate(type: IamFlowType, transport: IamFlowTransport, call: Call): Promise<IamFlow> {
    const accepted = await this.exchange(type, true, call, transport);
    return this.mapped(type, () =>
      flowFromKratos(type, this.modeOf(transport), accepted.data, accepted.setCookies),
    );
  }

  async submit(
    type: IamFlowType,
    flowId: string,
    body: unknown,
    transport: IamFlowTransport,
    call: (
      frontend: FrontendApi,
      flowId: KratosId,
      payload: object,
      request: RawAxiosRequestConfig,
    ) => Promise<OryResponse<unknown>>,
  ): Promise<Accepted | IamFlowInvalid | IamFlowRedirect> {
    const checkedId = kratosIdOf('flow', flowId);
    if (!isJsonObject(body)) throw invalidBodyError();
    const method = DEFAULT_METHOD[type];
    const payload = body.method === undefined && method !== undefined ? { ...body, method } : body;
    const response = await this.call(type, false, transport, (frontend, request) =>
      call(frontend, checkedId, payload, request),
    );
    const setCookies = setCookiesOf(response.headers);
    if (response.status < 300) return { data: response.data, setCookies };
    if (response.status === 400 && isFlowBody(response.data)) {
      const flow = this.mapped(type, () =>
        flowFromKratos(type, this.modeOf(transport), response.data),
      );
      return { status: 'invalid', flow, messages: errorMessagesOf(flow), setCookies };
    }
    const redirectBrowserTo = response.status === 422 ? redirectOf(response.data) : undefined;
    if (redirectBrowserTo !== undefined) {
      return { status: 'redirect', redirectBrowserTo, setCookies };
    }
    throw flowFailure(response.status, response.data);
  }

  authSuccess(type: IamFlowType, accepted: Accepted): IamAuthSuccess {
    return this.mapped(type, () => {
      const data = isJsonObject(accepted.data) ? accepted.data : {};
      const session =
        data.session === undefined || data.session === null
          ? undefined
          : sessionFromKratos(this.tenant, data.session);
      const identity = session?.identity ?? identityFromKratos(this.tenant, data.identity);
      return {
        status: 'success',
        sessionToken: typeof data.session_token === 'string' ? data.session_token : undefined,
        session,
        identity,
        continueWith: continueWithOf(data.continue_with),
        setCookies: accepted.setCookies,
      };
    });
  }

  progress(type: IamFlowType, transport: IamFlowTransport, accepted: Accepted): IamFlowProgress {
    return this.mapped(type, () => {
      const continueWith = continueWithOf(
        isJsonObject(accepted.data) ? accepted.data.continue_with : undefined,
      );
      return {
        status: 'success',
        flow: flowFromKratos(type, this.modeOf(transport), accepted.data),
        sessionToken: sessionTokenOfContinueWith(continueWith),
        continueWith,
        setCookies: accepted.setCookies,
      };
    });
  }

  /** A 2xx answer, or the mapped failure (outages are 503s from `callOry`). */
  async exchange(
    type: IamFlowType | 'logout',
    idempotent: boolean,
    call: Call,
    transport: IamFlowTransport = {},
  ): Promise<Accepted> {
    const response = await this.call(type, idempotent, transport, call);
    if (response.status >= 300) throw flowFailure(response.status, response.data);
    return { data: response.data, setCookies: setCookiesOf(response.headers) };
  }

  /**
   * One Kratos call that hands back 4xx answers with their headers (a failed browser submit may
   * still set cookies); 5xx, 429 and network failures stay outages.
   */
  call(
    type: IamFlowType | 'logout',
    idempotent: boolean,
    transport: IamFlowTransport,
    call: Call,
  ): Promise<OryResponse<unknown>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.modeOf(transport) === 'browser') {
      const cookie = kratosCookies(transport.cookie, this.cookieName);
      if (cookie !== undefined) headers.Cookie = cookie;
    }
    return callOry(
      `Kratos ${type} flow`,
      this.clients.policy,
      (options) =>
        call(this.clients.frontend, {
          ...options,
          headers,
          validateStatus: (status) => status < 500 && status !== 429,
        }),
      { idempotent, guard: this.clients.guards.frontend },
    );
  }

  /** The tenant's session cookie. */
  get cookieName(): string {
    return this.tenant.kratos?.sessionCookieName ?? '';
  }

  modeOf(transport: IamFlowTransport): IamFlowMode {
    return transport.mode === 'browser' ? 'browser' : 'native';
  }

  requireSession(options: IamSessionFlowOptions): void {
    const present =
      this.modeOf(options) === 'browser'
        ? kratosCookies(options.cookie, this.cookieName) !== undefined
        : typeof options.sessionToken === 'string' && options.sessionToken !== '';
    if (!present) throw new IamUnauthorizedError('auth.failure.missing_credentials');
  }

  mapped<T>(type: IamFlowType | 'logout', map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof KratosFlowShapeError || error instanceof KratosSessionShapeError) {
        throw this.shapeFailure(type);
      }
      throw error;
    }
  }

  shapeFailure(type: IamFlowType | 'logout'): IamUpstreamUnavailableError {
    return new IamUpstreamUnavailableError(`Kratos answered a ${type} flow unexpectedly.`);
  }
}
