import type { IncomingMessage } from 'node:http';
import {
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  type WsResponse,
} from '@nestjs/websockets';
import {
  Anonymous,
  attachUpgradeRequest,
  CurrentUser,
  IamGateway,
  Public,
  RequirePermission,
  RequireRole,
  RequireScope,
  RequireService,
} from '../../../src/index.js';

/** What the handlers ran, in order: a refused message must leave no trace here. */
export const handled: string[] = [];

/** The handlers of both gateways: the same decorators as on a controller. */
class ChatHandlers {
  @Public()
  @SubscribeMessage('ping')
  ping(): WsResponse<string> {
    handled.push('ping');
    return { event: 'ping', data: 'pong' };
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentUser('id') id: string): WsResponse<string> {
    handled.push(`whoami ${id}`);
    return { event: 'whoami', data: id };
  }

  @Anonymous()
  @SubscribeMessage('maybe')
  maybe(@CurrentUser('id') id: string | undefined): WsResponse<string | null> {
    handled.push(`maybe ${id ?? 'anonymous'}`);
    return { event: 'maybe', data: id ?? null };
  }

  @RequireRole('admin')
  @SubscribeMessage('admin')
  admin(@CurrentUser('id') id: string): WsResponse<string> {
    handled.push(`admin ${id}`);
    return { event: 'admin', data: id };
  }

  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  @SubscribeMessage('reserve')
  reserve(@CurrentUser('id') id: string): WsResponse<string> {
    handled.push(`reserve ${id}`);
    return { event: 'reserve', data: id };
  }

  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => (typeof req.args.id === 'string' ? req.args.id : undefined),
  })
  @SubscribeMessage('order')
  order(@MessageBody() body: { id: string }): WsResponse<string> {
    handled.push(`order ${body.id}`);
    return { event: 'order', data: body.id };
  }
}

/**
 * socket.io keeps the handshake request itself. Its client counts a ping as missed by the clock,
 * which the expiry test moves 120 s ahead: a ping timeout longer than that keeps it connected.
 */
@WebSocketGateway({ pingTimeout: 300_000 })
@IamGateway()
export class SocketIoChatGateway extends ChatHandlers {}

/** `ws` hands the upgrade request to the connection event only. */
@WebSocketGateway()
@IamGateway()
export class WsChatGateway extends ChatHandlers implements OnGatewayConnection {
  handleConnection(client: object, request: IncomingMessage): void {
    attachUpgradeRequest(client, request);
  }
}

/** The `ws` gateway on a path of its own, for a proxy route (Oathkeeper's may not be `/`). */
@WebSocketGateway({ path: '/chat' })
@IamGateway()
export class WsChatGatewayOnPath extends WsChatGateway {}
