import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictException } from '@nestjs/common';
import { parse } from 'cookie';
import { DEFAULT_SESSION_COOKIE_NAME } from '../config/defaults.js';
import { flowNotFoundError, invalidBodyError } from '../ory/kratos/flow-mapping.js';
import type {
  IamAuthSuccess,
  IamFlow,
  IamFlowInvalid,
  IamFlowMessage,
  IamFlowMode,
  IamFlowOptions,
  IamFlowProgress,
  IamFlowType,
  IamLoginOptions,
  IamLoginResult,
  IamLogoutResult,
  IamRecoveryResult,
  IamRegistrationResult,
  IamSessionFlowOptions,
  IamSettingsResult,
  IamVerificationResult,
  TenantFlows,
} from '../ory/kratos/flow-types.js';
import type { IamIdentityRecord } from '../ory/kratos/identity-types.js';
import { isJsonObject } from '../ory/kratos/json-values.js';
import { kratosIdOf } from '../ory/kratos/kratos-ids.js';
import {
  sessionIdentityOf,
  type TestingDirectory,
  type TestingSessionEntry,
} from './testing-directory.js';
import { identifiersOf, type TestingTenantIdentities } from './testing-identities.js';

const FLOW_LIFESPAN_MS = 60 * 60 * 1_000;

/** Kratos' messages for what the stand-in refuses, with Kratos' ids. */
const MESSAGES = {
  invalidCredentials: {
    id: 4000006,
    text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
  },
  duplicate: {
    id: 4000007,
    text: 'An account with the same identifier (email, phone, username, ...) exists already.',
  },
  missing: (property: string) => ({ id: 4000002, text: `Property ${property} is missing.` }),
} as const;

function message({ id, text }: { id: number; text: string }): IamFlowMessage {
  return { id, type: 'error', text, context: undefined };
}

function stringField(body: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `FlowService.forTenant(t)` of `IamTestingModule`: flows in memory over the identities of
 * `IdentityService`. Login succeeds for an `identifier` (an `email`, `username` or `phone` trait)
 * and the password the identity was created with; registration creates the identity and a session;
 * recovery and verification report `sent_email`; settings and logout need a session token (or
 * the browser cookie) a login or registration returned. Ids, bodies and unknown flows fail with
 * the real service's errors, and a wrong password is an `invalid` result, as with Kratos.
 */
export class TestingTenantFlows implements TenantFlows {
  constructor(
    private readonly directory: TestingDirectory,
    private readonly identities: TestingTenantIdentities,
  ) {}

  async initiateLogin(options: IamLoginOptions = {}): Promise<IamFlow> {
    return this.initiate('login', options);
  }

  async submitLogin(flowId: string, body: unknown): Promise<IamLoginResult> {
    const [flow, fields] = this.submitted('login', flowId, body);
    const identifier = stringField(fields, 'identifier');
    const password = stringField(fields, 'password');
    const record = [...this.directory.identities.values()].find(
      (candidate) =>
        identifier !== undefined && identifiersOf(candidate.traits).includes(identifier),
    );
    if (
      record === undefined ||
      record.state !== 'active' ||
      password === undefined ||
      this.directory.passwords.get(record.id) !== password
    ) {
      return this.invalid(flow, MESSAGES.invalidCredentials);
    }
    return this.authenticated(flow, record);
  }

  async initiateRegistration(options: IamFlowOptions = {}): Promise<IamFlow> {
    return this.initiate('registration', options);
  }

  async submitRegistration(flowId: string, body: unknown): Promise<IamRegistrationResult> {
    const [flow, fields] = this.submitted('registration', flowId, body);
    const { traits } = fields;
    if (!isJsonObject(traits)) return this.invalid(flow, MESSAGES.missing('traits'));
    const password = stringField(fields, 'password');
    if (password === undefined) return this.invalid(flow, MESSAGES.missing('password'));
    try {
      const record = await this.identities.create({
        traits,
        credentials: { password: { password } },
      });
      return this.authenticated(flow, record);
    } catch (error) {
      if (error instanceof ConflictException) return this.invalid(flow, MESSAGES.duplicate);
      throw error;
    }
  }

  async initiateRecovery(options: IamFlowOptions = {}): Promise<IamFlow> {
    return this.initiate('recovery', options);
  }

  async submitRecovery(flowId: string, body: unknown): Promise<IamRecoveryResult> {
    return this.progressed('recovery', flowId, body);
  }

  async initiateVerification(options: IamFlowOptions = {}): Promise<IamFlow> {
    return this.initiate('verification', options);
  }

  async submitVerification(flowId: string, body: unknown): Promise<IamVerificationResult> {
    return this.progressed('verification', flowId, body);
  }

  async initiateSettings(options: IamSessionFlowOptions): Promise<IamFlow> {
    this.sessionOf(options);
    return this.initiate('settings', options);
  }

  async submitSettings(
    flowId: string,
    body: unknown,
    options: IamSessionFlowOptions,
  ): Promise<IamSettingsResult> {
    const entry = this.sessionOf(options);
    const [flow, fields] = this.submitted('settings', flowId, body);
    const identityId = entry.session.identity?.id ?? '';
    const current = await this.identities.get(identityId);
    const { traits } = fields;
    const updated = await this.identities.update(identityId, {
      ...current,
      traits: isJsonObject(traits) ? traits : current.traits,
    });
    const password = stringField(fields, 'password');
    if (password !== undefined) this.directory.passwords.set(identityId, password);
    const done: IamFlow = { ...flow, state: 'success' };
    this.directory.flows.set(done.id, done);
    return {
      status: 'success',
      flow: done,
      identity: sessionIdentityOf(updated),
      continueWith: [],
      setCookies: [],
    };
  }

  async logout(options: IamSessionFlowOptions): Promise<IamLogoutResult> {
    this.directory.revoke(this.sessionOf(options));
    return {
      setCookies:
        options.mode === 'browser' ? [`${DEFAULT_SESSION_COOKIE_NAME}=; Path=/; Max-Age=0`] : [],
    };
  }

  private initiate(type: IamFlowType, options: IamFlowOptions): IamFlow {
    const mode: IamFlowMode = options.mode ?? 'native';
    const id = randomUUID();
    const now = Date.now();
    const flow: IamFlow = {
      id,
      type,
      mode,
      expiresAt: new Date(now + FLOW_LIFESPAN_MS),
      issuedAt: new Date(now),
      state: 'choose_method',
      returnTo: options.returnTo,
      csrfToken: mode === 'browser' ? randomBytes(16).toString('base64url') : undefined,
      ui: { action: `/self-service/${type}?flow=${id}`, method: 'POST', nodes: [], messages: [] },
      setCookies: [],
    };
    this.directory.flows.set(id, flow);
    return flow;
  }

  private submitted(
    type: IamFlowType,
    flowId: string,
    body: unknown,
  ): [IamFlow, Readonly<Record<string, unknown>>] {
    const flow = this.directory.flows.get(kratosIdOf('flow', flowId));
    if (flow === undefined || flow.type !== type) throw flowNotFoundError();
    if (!isJsonObject(body)) throw invalidBodyError();
    return [flow, body];
  }

  private async progressed(
    type: 'recovery' | 'verification',
    flowId: string,
    body: unknown,
  ): Promise<IamFlowProgress> {
    const [flow] = this.submitted(type, flowId, body);
    const sent: IamFlow = { ...flow, state: 'sent_email' };
    this.directory.flows.set(sent.id, sent);
    return {
      status: 'success',
      flow: sent,
      sessionToken: undefined,
      continueWith: [],
      setCookies: [],
    };
  }

  private authenticated(flow: IamFlow, record: IamIdentityRecord): IamAuthSuccess {
    // Kratos flows are done once they succeed.
    this.directory.flows.delete(flow.id);
    const identity = sessionIdentityOf(record);
    const entry = this.directory.openSession(identity);
    const browser = flow.mode === 'browser';
    return {
      status: 'success',
      sessionToken: browser ? undefined : entry.token,
      session: entry.session,
      identity,
      continueWith: [],
      setCookies: browser
        ? [`${DEFAULT_SESSION_COOKIE_NAME}=${entry.token}; Path=/; HttpOnly; SameSite=Lax`]
        : [],
    };
  }

  private invalid(flow: IamFlow, reason: { id: number; text: string }): IamFlowInvalid {
    const messages = [message(reason)];
    return {
      status: 'invalid',
      flow: { ...flow, ui: { ...flow.ui, messages } },
      messages,
      setCookies: [],
    };
  }

  private sessionOf(options: IamSessionFlowOptions): TestingSessionEntry {
    const cookie =
      options.mode === 'browser' && options.cookie !== undefined
        ? parse(options.cookie)[DEFAULT_SESSION_COOKIE_NAME]
        : undefined;
    return this.directory.activeSessionOf(options.sessionToken ?? cookie);
  }
}
