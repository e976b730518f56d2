import type { IamSession, IamSessionIdentity } from './iam-session.js';

/** The Kratos self-service flows the library drives. */
export type IamFlowType = 'login' | 'registration' | 'recovery' | 'verification' | 'settings';

/**
 * `native` (Kratos' "api" flows, for apps and BFFs that keep a session token) or `browser` (CSRF
 * cookie and token, the session travels as a cookie).
 */
export type IamFlowMode = 'native' | 'browser';

/** A message Kratos attached to a flow or one of its fields (validation errors among them). */
export interface IamFlowMessage {
  /** Kratos' stable message id, e.g. 4000005 for a password policy violation. */
  readonly id: number;
  readonly type: 'info' | 'error' | 'success' | string;
  readonly text: string;
  readonly context: Readonly<Record<string, unknown>> | undefined;
}

/** One field or element of a flow's form, as Kratos describes it. */
export interface IamFlowNode {
  readonly type: string;
  readonly group: string;
  /** Kratos' node attributes (`name`, `type`, `value`, `required`, ...), passed through. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly messages: readonly IamFlowMessage[];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** The form a flow asks its user to fill in. */
export interface IamFlowUi {
  readonly action: string;
  readonly method: string;
  readonly nodes: readonly IamFlowNode[];
  readonly messages: readonly IamFlowMessage[];
}

/** A Kratos self-service flow in the library's own terms. */
export interface IamFlow {
  readonly id: string;
  /** Which flow this is. */
  readonly type: IamFlowType;
  readonly mode: IamFlowMode;
  readonly expiresAt: Date | undefined;
  readonly issuedAt: Date | undefined;
  /** Kratos' flow state, e.g. `choose_method`, `sent_email`, `passed_challenge`, `success`. */
  readonly state: string | undefined;
  readonly returnTo: string | undefined;
  /** The value of the form's `csrf_token` field: browser flows must submit it back. */
  readonly csrfToken: string | undefined;
  readonly ui: IamFlowUi;
  /**
   * Browser flows, from the call that created this flow: the `Set-Cookie` values (the CSRF
   * cookie) for the caller to pass on to the browser. Empty otherwise.
   */
  readonly setCookies: readonly string[];
}

/** What Kratos asks the caller to do next (`continue_with`), passed through. */
export type IamFlowContinueWith = Readonly<Record<string, unknown>>;

/** Fields every result carries. */
interface IamFlowResultBase {
  /**
   * Browser flows: the `Set-Cookie` values Kratos sent (CSRF and session cookies), for the caller
   * to pass on to the browser unchanged. Empty for native flows.
   */
  readonly setCookies: readonly string[];
}

/** A successful login or registration. */
export interface IamAuthSuccess extends IamFlowResultBase {
  readonly status: 'success';
  /**
   * Native flows: the new session's token. Absent for browser flows (the session is a cookie in
   * `setCookies`) and for a registration without Kratos' `session` hook.
   */
  readonly sessionToken: string | undefined;
  /** Absent for a registration without Kratos' `session` hook. */
  readonly session: IamSession | undefined;
  readonly identity: IamSessionIdentity;
  readonly continueWith: readonly IamFlowContinueWith[];
}

/** A settings flow Kratos accepted; `identity` is the updated identity. */
export interface IamSettingsSuccess extends IamFlowResultBase {
  readonly status: 'success';
  readonly flow: IamFlow;
  readonly identity: IamSessionIdentity;
  readonly continueWith: readonly IamFlowContinueWith[];
}

/**
 * A recovery or verification step Kratos accepted. `flow.state` says where it is (`sent_email`
 * after the address, `passed_challenge` after the code). A native recovery that passed its
 * challenge carries the session token Kratos issued for the follow-up settings flow.
 */
export interface IamFlowProgress extends IamFlowResultBase {
  readonly status: 'success';
  readonly flow: IamFlow;
  readonly sessionToken: string | undefined;
  readonly continueWith: readonly IamFlowContinueWith[];
}

/**
 * Kratos rejected the submitted values (400 with the flow): the flow to show again, and every
 * message of the form and its fields. Not an exception: a wrong password is an expected outcome.
 */
export interface IamFlowInvalid extends IamFlowResultBase {
  readonly status: 'invalid';
  readonly flow: IamFlow;
  /** Messages of type `error` from the form and its fields, in Kratos' order. */
  readonly messages: readonly IamFlowMessage[];
}

/**
 * Browser flows only: Kratos wants the browser sent elsewhere (its 422
 * `browser_location_change_required`, e.g. to the settings flow after a recovery code).
 */
export interface IamFlowRedirect extends IamFlowResultBase {
  readonly status: 'redirect';
  readonly redirectBrowserTo: string;
}

export type IamLoginResult = IamAuthSuccess | IamFlowInvalid | IamFlowRedirect;
export type IamRegistrationResult = IamAuthSuccess | IamFlowInvalid | IamFlowRedirect;
export type IamSettingsResult = IamSettingsSuccess | IamFlowInvalid | IamFlowRedirect;
export type IamRecoveryResult = IamFlowProgress | IamFlowInvalid | IamFlowRedirect;
export type IamVerificationResult = IamFlowProgress | IamFlowInvalid | IamFlowRedirect;

/**
 * How a call reaches Kratos. Native by default. `mode: 'browser'` forwards the Kratos cookies of
 * `cookie` (the incoming request's `Cookie` header; only the CSRF and session cookies are sent)
 * and returns Kratos' `Set-Cookie` values in the result.
 */
export interface IamFlowTransport {
  readonly mode?: IamFlowMode;
  /** Browser mode: the request's `Cookie` header. */
  readonly cookie?: string | undefined;
}

/** Options of `initiateLogin`. */
export interface IamLoginOptions extends IamFlowTransport {
  readonly returnTo?: string | undefined;
  /** Ask for a fresh login even though a session exists. */
  readonly refresh?: boolean;
  /** Ask for a higher assurance level, e.g. `aal2`. */
  readonly aal?: string;
  /** Native: the session to refresh or upgrade. */
  readonly sessionToken?: string;
}

/** Options of `initiateRegistration`, `initiateRecovery`, `initiateVerification`. */
export interface IamFlowOptions extends IamFlowTransport {
  readonly returnTo?: string | undefined;
}

/** Options of `initiateSettings`, `submitSettings` and `logout`: the session is required. */
export interface IamSessionFlowOptions extends IamFlowTransport {
  /** Native: the session token. Browser: the session comes from `cookie`. */
  readonly sessionToken?: string;
  readonly returnTo?: string | undefined;
}

/** Options of `submitLogin`, `submitRegistration`, `submitRecovery`, `submitVerification`. */
export interface IamSubmitOptions extends IamFlowTransport {
  /** Native login: the session being refreshed or upgraded. */
  readonly sessionToken?: string;
}

/** What `logout` returns: browser mode carries the cookies that clear the session. */
export interface IamLogoutResult {
  readonly setCookies: readonly string[];
}

/**
 * One tenant's Kratos self-service flows. Native by default; pass `{ mode: 'browser', cookie }`
 * for browser flows. Submit bodies are what Kratos expects (`method`, `identifier`, `password`,
 * `traits`, `csrf_token`, ...); login and registration default `method` to `password`, recovery
 * and verification to `code`. A flow id that is not a UUID is a 400 `request.invalid_id` (Kratos
 * is not asked); a body that is not a JSON object a 400 `flow.invalid_body`; an unknown flow id a
 * 404 `flow.not_found`; an expired flow a 410 `flow.expired`; Kratos down a 503.
 */
export interface TenantFlows {
  initiateLogin(options?: IamLoginOptions): Promise<IamFlow>;
  submitLogin(flowId: string, body: unknown, options?: IamSubmitOptions): Promise<IamLoginResult>;
  initiateRegistration(options?: IamFlowOptions): Promise<IamFlow>;
  submitRegistration(
    flowId: string,
    body: unknown,
    options?: IamSubmitOptions,
  ): Promise<IamRegistrationResult>;
  initiateRecovery(options?: IamFlowOptions): Promise<IamFlow>;
  submitRecovery(
    flowId: string,
    body: unknown,
    options?: IamSubmitOptions,
  ): Promise<IamRecoveryResult>;
  initiateVerification(options?: IamFlowOptions): Promise<IamFlow>;
  submitVerification(
    flowId: string,
    body: unknown,
    options?: IamSubmitOptions,
  ): Promise<IamVerificationResult>;
  initiateSettings(options: IamSessionFlowOptions): Promise<IamFlow>;
  submitSettings(
    flowId: string,
    body: unknown,
    options: IamSessionFlowOptions,
  ): Promise<IamSettingsResult>;
  /**
   * Ends the session: native with `sessionToken`, browser with the session cookie. The session is
   * evicted from the session cache (also when Kratos' answer was lost), and a whoami Kratos
   * answered before the logout is not cached after it.
   */
  logout(options: IamSessionFlowOptions): Promise<IamLogoutResult>;
}
