import type {
  UpdateLoginFlowBody,
  UpdateRecoveryFlowBody,
  UpdateRegistrationFlowBody,
  UpdateSettingsFlowBody,
  UpdateVerificationFlowBody,
} from '@ory/client';
import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { IamUnauthorizedError } from '../../errors/iam-errors.js';
import type { SessionCredential } from '../../transport/kratos-credentials.js';
import type { KratosClients } from '../ory-clients.js';
import { KratosFlowExchange } from './flow-exchange.js';
import { continueWithOf, flowFailure, flowFromKratos } from './flow-mapping.js';
import type {
  IamFlow,
  IamFlowOptions,
  IamLoginOptions,
  IamLoginResult,
  IamLogoutResult,
  IamRecoveryResult,
  IamRegistrationResult,
  IamSessionFlowOptions,
  IamSettingsResult,
  IamSubmitOptions,
  IamVerificationResult,
  TenantFlows,
} from './flow-types.js';
import { isJsonObject } from './json-values.js';
import type { KratosSessionCache } from './session-cache.js';
import { identityFromKratos } from './session-mapping.js';
import { sessionCredentialOfSource } from './session-source.js';

/** {@link TenantFlows} over a tenant's Kratos `FrontendApi`; a logout evicts the session cache. */
export class KratosTenantFlows implements TenantFlows {
  private readonly flows: KratosFlowExchange;

  constructor(
    tenant: ValidatedTenantConfig,
    clients: KratosClients,
    private readonly cache: KratosSessionCache | undefined,
  ) {
    this.flows = new KratosFlowExchange(tenant, clients);
  }

  initiateLogin(options: IamLoginOptions = {}): Promise<IamFlow> {
    const { returnTo, refresh, aal } = options;
    return this.flows.initiate('login', options, (frontend, request) =>
      this.flows.modeOf(options) === 'browser'
        ? frontend.createBrowserLoginFlow({ returnTo, refresh, aal }, request)
        : frontend.createNativeLoginFlow(
            { returnTo, refresh, aal, xSessionToken: options.sessionToken },
            request,
          ),
    );
  }

  async submitLogin(
    flowId: string,
    body: unknown,
    options: IamSubmitOptions = {},
  ): Promise<IamLoginResult> {
    const outcome = await this.flows.submit(
      'login',
      flowId,
      body,
      options,
      (frontend, flow, payload, request) =>
        frontend.updateLoginFlow(
          {
            flow,
            updateLoginFlowBody: payload as UpdateLoginFlowBody,
            xSessionToken: options.sessionToken,
          },
          request,
        ),
    );
    return 'status' in outcome ? outcome : this.flows.authSuccess('login', outcome);
  }

  initiateRegistration(options: IamFlowOptions = {}): Promise<IamFlow> {
    const { returnTo } = options;
    return this.flows.initiate('registration', options, (frontend, request) =>
      this.flows.modeOf(options) === 'browser'
        ? frontend.createBrowserRegistrationFlow({ returnTo }, request)
        : frontend.createNativeRegistrationFlow({ returnTo }, request),
    );
  }

  async submitRegistration(
    flowId: string,
    body: unknown,
    options: IamSubmitOptions = {},
  ): Promise<IamRegistrationResult> {
    const outcome = await this.flows.submit(
      'registration',
      flowId,
      body,
      options,
      (frontend, flow, payload, request) =>
        frontend.updateRegistrationFlow(
          { flow, updateRegistrationFlowBody: payload as UpdateRegistrationFlowBody },
          request,
        ),
    );
    return 'status' in outcome ? outcome : this.flows.authSuccess('registration', outcome);
  }

  initiateRecovery(options: IamFlowOptions = {}): Promise<IamFlow> {
    const { returnTo } = options;
    return this.flows.initiate('recovery', options, (frontend, request) =>
      this.flows.modeOf(options) === 'browser'
        ? frontend.createBrowserRecoveryFlow({ returnTo }, request)
        : frontend.createNativeRecoveryFlow(request),
    );
  }

  async submitRecovery(
    flowId: string,
    body: unknown,
    options: IamSubmitOptions = {},
  ): Promise<IamRecoveryResult> {
    const outcome = await this.flows.submit(
      'recovery',
      flowId,
      body,
      options,
      (frontend, flow, payload, request) =>
        frontend.updateRecoveryFlow(
          { flow, updateRecoveryFlowBody: payload as UpdateRecoveryFlowBody },
          request,
        ),
    );
    return 'status' in outcome ? outcome : this.flows.progress('recovery', options, outcome);
  }

  initiateVerification(options: IamFlowOptions = {}): Promise<IamFlow> {
    const { returnTo } = options;
    return this.flows.initiate('verification', options, (frontend, request) =>
      this.flows.modeOf(options) === 'browser'
        ? frontend.createBrowserVerificationFlow({ returnTo }, request)
        : frontend.createNativeVerificationFlow({ returnTo }, request),
    );
  }

  async submitVerification(
    flowId: string,
    body: unknown,
    options: IamSubmitOptions = {},
  ): Promise<IamVerificationResult> {
    const outcome = await this.flows.submit(
      'verification',
      flowId,
      body,
      options,
      (frontend, flow, payload, request) =>
        frontend.updateVerificationFlow(
          { flow, updateVerificationFlowBody: payload as UpdateVerificationFlowBody },
          request,
        ),
    );
    return 'status' in outcome ? outcome : this.flows.progress('verification', options, outcome);
  }

  async initiateSettings(options: IamSessionFlowOptions): Promise<IamFlow> {
    this.flows.requireSession(options);
    const { returnTo } = options;
    return this.flows.initiate('settings', options, (frontend, request) =>
      this.flows.modeOf(options) === 'browser'
        ? frontend.createBrowserSettingsFlow({ returnTo }, request)
        : frontend.createNativeSettingsFlow({ xSessionToken: options.sessionToken }, request),
    );
  }

  async submitSettings(
    flowId: string,
    body: unknown,
    options: IamSessionFlowOptions,
  ): Promise<IamSettingsResult> {
    this.flows.requireSession(options);
    const outcome = await this.flows.submit(
      'settings',
      flowId,
      body,
      options,
      (frontend, flow, payload, request) =>
        frontend.updateSettingsFlow(
          {
            flow,
            updateSettingsFlowBody: payload as UpdateSettingsFlowBody,
            xSessionToken: options.sessionToken,
          },
          request,
        ),
    );
    if ('status' in outcome) return outcome;
    return this.flows.mapped('settings', () => {
      const data = isJsonObject(outcome.data) ? outcome.data : {};
      return {
        status: 'success',
        flow: flowFromKratos('settings', this.flows.modeOf(options), data),
        identity: identityFromKratos(this.flows.tenant, data.identity),
        continueWith: continueWithOf(data.continue_with),
        setCookies: outcome.setCookies,
      };
    });
  }

  async logout(options: IamSessionFlowOptions): Promise<IamLogoutResult> {
    this.flows.requireSession(options);
    try {
      return await this.endSession(options);
    } finally {
      // Also after a failure: a logout whose answer was lost may still have happened.
      await this.evict(options);
    }
  }

  private async endSession(options: IamSessionFlowOptions): Promise<IamLogoutResult> {
    if (this.flows.modeOf(options) !== 'browser') {
      const sessionToken = options.sessionToken ?? '';
      const response = await this.flows.call('logout', true, {}, (frontend, request) =>
        frontend.performNativeLogout(
          { performNativeLogoutBody: { session_token: sessionToken } },
          request,
        ),
      );
      // Kratos v1.3.1 answers 403 (no error id) for a token that is no session at all.
      if (response.status === 403) throw new IamUnauthorizedError('auth.failure.session_inactive');
      if (response.status >= 300) throw flowFailure(response.status, response.data);
      return { setCookies: [] };
    }
    const created = await this.flows.exchange(
      'logout',
      true,
      (frontend, request) =>
        frontend.createBrowserLogoutFlow({ returnTo: options.returnTo }, request),
      options,
    );
    const logoutToken = isJsonObject(created.data) ? created.data.logout_token : undefined;
    if (typeof logoutToken !== 'string') throw this.flows.shapeFailure('logout');
    const done = await this.flows.exchange(
      'logout',
      false,
      (frontend, request) =>
        frontend.updateLogoutFlow({ token: logoutToken, returnTo: options.returnTo }, request),
      options,
    );
    return { setCookies: [...created.setCookies, ...done.setCookies] };
  }

  /** Evicts the logged-out credential and its session from the session cache. */
  private async evict(options: IamSessionFlowOptions): Promise<void> {
    const { cache } = this;
    if (cache === undefined) return;
    const source =
      this.flows.modeOf(options) === 'browser'
        ? { cookie: options.cookie ?? '' }
        : { token: options.sessionToken ?? '' };
    let credential: SessionCredential | undefined;
    try {
      credential = sessionCredentialOfSource(source, this.flows.cookieName);
    } catch (error) {
      // Malformed: the transports refuse it before any cache lookup, so it was never cached.
      if (error instanceof IamUnauthorizedError) return;
      throw error;
    }
    if (credential !== undefined) await cache.evictCredential(credential);
  }
}
