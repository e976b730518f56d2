import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { IamForbiddenError, IamUnauthorizedError } from '../../../src/errors/iam-errors.js';
import {
  errorMessagesOf,
  flowFailure,
  flowFromKratos,
  KratosFlowShapeError,
  kratosCookies,
  redirectOf,
  sessionTokenOfContinueWith,
  setCookiesOf,
} from '../../../src/ory/kratos/flow-mapping.js';

const flowBody = {
  id: '5b5d2c1e-8a7f-4c1e-9d1b-2f3a4b5c6d7e',
  state: 'choose_method',
  expires_at: '2030-01-01T00:00:00Z',
  issued_at: 'not a date',
  return_to: '',
  ui: {
    action: 'http://kratos/self-service/login?flow=5b5d2c1e',
    method: 'POST',
    messages: [{ id: 4000006, type: 'error', text: 'The provided credentials are invalid.' }],
    nodes: [
      {
        type: 'input',
        group: 'default',
        attributes: { name: 'csrf_token', type: 'hidden', value: 'csrf-value' },
        messages: [],
        meta: {},
      },
      {
        type: 'input',
        group: 'password',
        attributes: { name: 'password', type: 'password' },
        messages: [
          { id: 4000005, type: 'error', text: 'too short', context: { min: 8 } },
          { id: 1, type: 'info', text: 'hint' },
        ],
      },
      'not a node',
    ],
  },
};

function codeOf(error: HttpException): unknown {
  const response = error.getResponse();
  return typeof response === 'object' ? (response as { code?: unknown }).code : undefined;
}

describe('flowFromKratos', () => {
  it('maps a flow, its form and the CSRF token, dropping what is not well-formed', () => {
    const flow = flowFromKratos('login', 'browser', flowBody, ['csrf_token_x=1; Path=/']);
    expect(flow).toMatchObject({
      id: flowBody.id,
      type: 'login',
      mode: 'browser',
      state: 'choose_method',
      returnTo: undefined,
      issuedAt: undefined,
      csrfToken: 'csrf-value',
      setCookies: ['csrf_token_x=1; Path=/'],
      ui: { action: flowBody.ui.action, method: 'POST' },
    });
    expect(flow.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(flow.ui.nodes).toHaveLength(2);
    expect(flow.ui.nodes[1]?.meta).toEqual({});
  });

  it('treats a body without an id or ui as an unexpected answer', () => {
    expect(() => flowFromKratos('login', 'native', { id: 'x' })).toThrow(KratosFlowShapeError);
    expect(() => flowFromKratos('login', 'native', { ui: {} })).toThrow(KratosFlowShapeError);
    expect(() => flowFromKratos('login', 'native', null)).toThrow(KratosFlowShapeError);
    expect(() => flowFromKratos('login', 'native', [flowBody])).toThrow(KratosFlowShapeError);
  });
});

describe('errorMessagesOf', () => {
  it('collects error messages of the form, then of each field, in order', () => {
    const flow = flowFromKratos('registration', 'native', flowBody);
    expect(errorMessagesOf(flow).map((message) => message.id)).toEqual([4000006, 4000005]);
    expect(errorMessagesOf(flow)[1]?.context).toEqual({ min: 8 });
  });
});

describe('flowFailure', () => {
  it.each([
    ['self_service_flow_expired', 400, 410, 'flow.expired'],
    ['security_csrf_violation', 403, 403, 'flow.csrf_violation'],
    ['session_already_available', 400, 400, 'flow.session_already_available'],
    ['session_refresh_required', 403, 403, 'flow.session_refresh_required'],
    ['self_service_flow_return_to_forbidden', 400, 400, 'flow.return_to_forbidden'],
    ['self_service_flow_disabled', 400, 404, 'flow.disabled'],
  ])('maps Kratos error id %s to %i %s', (id, kratosStatus, status, code) => {
    const error = flowFailure(kratosStatus, { error: { id, message: 'echoes user input' } });
    expect(error.getStatus()).toBe(status);
    expect(codeOf(error)).toBe(code);
    expect(JSON.stringify(error.getResponse())).not.toContain('echoes user input');
  });

  it('maps session errors to the library errors', () => {
    expect(flowFailure(403, { error: { id: 'session_aal2_required' } })).toBeInstanceOf(
      IamForbiddenError,
    );
    const inactive = flowFailure(401, { error: { id: 'session_inactive' } });
    expect(inactive).toBeInstanceOf(IamUnauthorizedError);
    expect(codeOf(inactive)).toBe('auth.failure.session_inactive');
  });

  it.each([
    [401, 401, 'auth.failure.session_inactive'],
    [403, 403, 'flow.forbidden'],
    [404, 404, 'flow.not_found'],
    [410, 410, 'flow.expired'],
    [422, 422, 'flow.unprocessable'],
    [409, 400, 'flow.rejected'],
  ])('maps an unknown error with status %i to %i %s', (kratosStatus, status, code) => {
    const error = flowFailure(kratosStatus, 'not json');
    expect(error.getStatus()).toBe(status);
    expect(codeOf(error)).toBe(code);
  });
});

describe('kratosCookies', () => {
  it('forwards only the CSRF, continuity and session cookies, values untouched', () => {
    expect(
      kratosCookies(
        'app_pref=dark; csrf_token_806=abc%3D%3D; ory_kratos_session=s1; ory_kratos_continuity=c; other=1',
        'ory_kratos_session',
      ),
    ).toBe('csrf_token_806=abc%3D%3D; ory_kratos_session=s1; ory_kratos_continuity=c');
  });

  it('is undefined when nothing of Kratos is there', () => {
    expect(kratosCookies(undefined, 'ory_kratos_session')).toBeUndefined();
    expect(kratosCookies('', 'ory_kratos_session')).toBeUndefined();
    expect(kratosCookies('app_pref=dark; =x; novalue', 'ory_kratos_session')).toBeUndefined();
  });

  it('uses the configured session cookie name', () => {
    expect(kratosCookies('ory_kratos_session=a; my_session=b', 'my_session')).toBe('my_session=b');
  });
});

describe('small readers', () => {
  it('reads Set-Cookie values whether axios gives an array or a string', () => {
    expect(setCookiesOf({ 'set-cookie': ['a=1', 2, 'b=2'] })).toEqual(['a=1', 'b=2']);
    expect(setCookiesOf({ 'set-cookie': 'a=1' })).toEqual(['a=1']);
    expect(setCookiesOf(undefined)).toEqual([]);
  });

  it('reads the redirect of a 422 and the session token of a recovery', () => {
    expect(redirectOf({ redirect_browser_to: 'http://ui/settings' })).toBe('http://ui/settings');
    expect(redirectOf({ redirect_browser_to: '' })).toBeUndefined();
    expect(
      sessionTokenOfContinueWith([
        { action: 'show_settings_ui' },
        { action: 'set_ory_session_token', ory_session_token: 'ory_st_1' },
      ]),
    ).toBe('ory_st_1');
    expect(sessionTokenOfContinueWith([{ action: 'show_settings_ui' }])).toBeUndefined();
  });
});
