import { RequestMethod, type Type, VERSION_NEUTRAL, type VersioningOptions } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HOST_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants.js';
import { MetadataScanner, Reflector } from '@nestjs/core';
import { type RouteRequirements, readRouteRequirements } from '../guards/route-requirements.js';
import { expandOptional, joinPath, parsePath, type RoutePath } from './route-path.js';

/**
 * What Oathkeeper must do for a route: `public` lets everyone through, `anonymous` checks
 * credentials when there are some, `authenticated` requires a session, `service`
 * (`@RequireService`/`@RequireScope`) requires an OAuth2 access token of a machine caller.
 */
export type RouteKind = 'public' | 'anonymous' | 'authenticated' | 'service';

/** One method of one path of one handler. */
export interface RouteEntry {
  readonly method: string;
  readonly path: RoutePath;
  /** The path as Nest routes it, prefix and version included: `/v1/orders/:id`. */
  readonly nestPath: string;
  readonly kind: RouteKind;
  /** What the decorators ask of the caller beyond the kind: roles, permissions, scopes, services. */
  readonly requirements: RouteRequirements;
  /** `OrdersController.list GET /orders/:id`, for messages. */
  readonly source: string;
}

/** How the app is served, which the module alone does not say (it is set in `main.ts`). */
export interface RouteTableOptions {
  /** `app.setGlobalPrefix(...)`. */
  readonly globalPrefix?: string;
  /**
   * `app.enableVersioning({ type: VersioningType.URI })`: the version segment's prefix (Nest's
   * default `v`; `false` for none) and the default version. Other versioning types leave paths
   * alone and need nothing here.
   */
  readonly uriVersioning?: {
    readonly prefix?: string | false;
    readonly defaultVersion?: VersionValue;
  };
}

type Controller = Type<unknown>;
type VersionValue = NonNullable<VersioningOptions['defaultVersion']>;

// By name: an app built as CommonJS holds the guards of the package's CommonJS build while this
// code may run from the ES module build, and those are different classes.
const IAM_GUARDS = new Set(['SessionGuard', 'RoleGuard', 'PermissionGuard']);

const EVERY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function httpMethods(method: RequestMethod): string[] {
  if (method === RequestMethod.ALL) return EVERY_METHOD;
  const name = RequestMethod[method];
  // Express and Fastify answer HEAD with the GET handler.
  return name === 'GET' ? ['GET', 'HEAD'] : [name];
}

function listOf<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

function versionSegments(
  version: VersionValue | undefined,
  options: RouteTableOptions['uriVersioning'],
): string[] {
  if (options === undefined) return [''];
  const chosen = version ?? options.defaultVersion;
  if (chosen === undefined) return [''];
  const prefix = options.prefix === false ? '' : (options.prefix ?? 'v');
  return listOf<string | symbol>(chosen).map((entry) =>
    entry === VERSION_NEUTRAL ? '' : `${prefix}${String(entry)}`,
  );
}

function kindOf(
  requirements: RouteRequirements,
  handler: (...args: never[]) => unknown,
  controller: Controller,
  globalGuard: boolean,
): RouteKind {
  // ServiceGuard's test: these routes admit services only, whatever else they ask.
  if (requirements.scopes.length > 0 || requirements.services.length > 0) return 'service';
  if (requirements.needsIdentity) return 'authenticated';
  if (requirements.mode === 'public') return 'public';
  if (requirements.mode === 'anonymous') return 'anonymous';
  if (globalGuard) return 'authenticated';
  const guards = [
    ...listOf<unknown>(Reflect.getMetadata(GUARDS_METADATA, controller)),
    ...listOf<unknown>(Reflect.getMetadata(GUARDS_METADATA, handler)),
  ];
  // Without the global guard a route is open unless it names one of ours.
  return guards.some((guard) => typeof guard === 'function' && IAM_GUARDS.has(guard.name))
    ? 'authenticated'
    : 'public';
}

/**
 * Every route of the controllers with what the library's decorators ask of it. `globalGuard` is
 * `IamModule`'s `global` option. A controller bound to a host is refused: its rules would need
 * that host in `match.url`.
 */
export function readRouteTable(
  controllers: readonly Controller[],
  globalGuard: boolean,
  options: RouteTableOptions = {},
): RouteEntry[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: RouteEntry[] = [];
  for (const controller of controllers) {
    if (Reflect.getMetadata(HOST_METADATA, controller) !== undefined) {
      throw new Error(
        `${controller.name} is bound to a host (@Controller({ host })); access rules for host-bound controllers are not generated`,
      );
    }
    const controllerPaths = listOf<string>(Reflect.getMetadata(PATH_METADATA, controller));
    const controllerVersion: VersionValue | undefined = Reflect.getMetadata(
      VERSION_METADATA,
      controller,
    );
    const prototype = controller.prototype as Record<string, (...args: never[]) => unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (handler === undefined) continue;
      const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
      const handlerPaths = listOf<string>(Reflect.getMetadata(PATH_METADATA, handler));
      if (method === undefined || handlerPaths.length === 0) continue;
      const requirements = readRouteRequirements(reflector, handler, controller);
      const kind = kindOf(requirements, handler, controller, globalGuard);
      const versions = versionSegments(
        Reflect.getMetadata(VERSION_METADATA, handler) ?? controllerVersion,
        options.uriVersioning,
      );
      for (const version of versions) {
        for (const base of controllerPaths.length === 0 ? [''] : controllerPaths) {
          for (const own of handlerPaths) {
            const full = joinPath(options.globalPrefix ?? '', version, base, own);
            for (const shape of expandOptional(full)) {
              for (const httpMethod of httpMethods(method)) {
                routes.push({
                  method: httpMethod,
                  path: parsePath(shape),
                  nestPath: shape,
                  kind,
                  requirements,
                  source: `${controller.name}.${name} ${httpMethod} ${shape}`,
                });
              }
            }
          }
        }
      }
    }
  }
  return routes;
}
