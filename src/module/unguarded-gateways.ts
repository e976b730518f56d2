import type { Type } from '@nestjs/common';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { IamGlobalGuard } from '../guards/iam-global.guard.js';
import { SessionGuard } from '../guards/session.guard.js';

// Nest's metadata keys, as literals: @nestjs/websockets is absent from apps without gateways, and
// Nest 12 exports no deep paths to @nestjs/common's constants.
const GUARDS_METADATA = '__guards__';
const GATEWAY_METADATA = 'websockets:is_gateway';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

function guardsOf(target: object): readonly unknown[] {
  const guards: unknown = Reflect.getMetadata(GUARDS_METADATA, target);
  return Array.isArray(guards) ? guards : [];
}

function authenticates(guards: readonly unknown[]): boolean {
  return guards.some((guard) => guard === SessionGuard || guard === IamGlobalGuard);
}

/** The message handlers of a gateway class that no guard of the library checks. */
export function unguardedHandlers(gateway: Type): string[] {
  const classGuarded = authenticates(guardsOf(gateway));
  const names = new Set<string>();
  // Handlers may come from a base class, as Nest's own scan of a gateway finds them.
  for (
    let prototype: object | null = gateway.prototype as object;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) names.add(name);
  }
  const instance = gateway.prototype as Record<string, unknown>;
  return [...names].filter((name) => {
    const handler = instance[name];
    if (typeof handler !== 'function' || name === 'constructor') return false;
    if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler) !== true) return false;
    return !classGuarded && !authenticates(guardsOf(handler));
  });
}

/**
 * Nest applies no global guard to WebSocket gateways, so a gateway without `@IamGateway()` (or
 * `@UseGuards(SessionGuard, ...)`) handles every message unchecked, whatever the module's
 * `global` option says. Boot names each such gateway once, as an error in the log.
 */
@Injectable()
export class UnguardedGatewaysWarning implements OnApplicationBootstrap {
  private readonly logger = new Logger('IamModule');

  constructor(@Inject(ModulesContainer) private readonly modules: ModulesContainer) {}

  onApplicationBootstrap(): void {
    const seen = new Set<Type>();
    for (const module of this.modules.values()) {
      for (const wrapper of module.providers.values()) {
        const type = wrapper.metatype as Type | null | undefined;
        if (typeof type !== 'function' || seen.has(type)) continue;
        seen.add(type);
        if (Reflect.getMetadata(GATEWAY_METADATA, type) !== true) continue;
        const handlers = unguardedHandlers(type);
        if (handlers.length === 0) continue;
        this.logger.error(
          `Gateway ${type.name} is not checked by IamModule: its message handlers ` +
            `${handlers.join(', ')} run for anyone. Add @IamGateway() next to @WebSocketGateway() ` +
            '(and @Public() on handlers meant for everyone).',
        );
      }
    }
  }
}
