import { Logger, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IamGateway, IamModule, Public, SessionGuard } from '../../../src/index.js';
import { unguardedHandlers } from '../../../src/module/unguarded-gateways.js';

class Handlers {
  @SubscribeMessage('ping')
  ping() {
    return 'pong';
  }

  @SubscribeMessage('hello')
  @Public()
  hello() {
    return 'hi';
  }

  helper() {
    return 'not a handler';
  }
}

@WebSocketGateway()
class OpenGateway extends Handlers {}

@WebSocketGateway()
@IamGateway()
class CheckedGateway extends Handlers {}

@WebSocketGateway()
class HandlerGuardedGateway {
  @SubscribeMessage('ping')
  @UseGuards(SessionGuard)
  ping() {
    return 'pong';
  }

  @SubscribeMessage('open')
  open() {
    return 'open';
  }
}

describe('unguardedHandlers', () => {
  it('names every message handler, inherited ones included, that no library guard checks', () => {
    expect(unguardedHandlers(OpenGateway)).toEqual(['ping', 'hello']);
    expect(unguardedHandlers(CheckedGateway)).toEqual([]);
    expect(unguardedHandlers(HandlerGuardedGateway)).toEqual(['open']);
  });
});

describe('UnguardedGatewaysWarning at boot', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs an error naming a gateway no guard checks, and none for a checked one', async () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [
        IamModule.forRoot({
          tenants: {
            default: {
              transport: 'oathkeeper',
              oathkeeper: { verifier: 'hmac', hmacSecret: 'x'.repeat(32) },
            },
          },
        }),
      ],
      providers: [OpenGateway, CheckedGateway],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.close();
    const messages = errors.mock.calls.map(([message]) => String(message));
    expect(messages.filter((message) => message.includes('OpenGateway'))).toEqual([
      'Gateway OpenGateway is not checked by IamModule: its message handlers ping, hello run for anyone. Add @IamGateway() next to @WebSocketGateway() (and @Public() on handlers meant for everyone).',
    ]);
    expect(messages.some((message) => message.includes('CheckedGateway'))).toBe(false);
  });
});
