import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ROUTE_AUDIT_KEY, type RouteAudit } from './route-audit.decorator';

export interface AuditedRoute {
  method: string;
  /** Controller and method path joined, without the global prefix: `/installations/:id`. */
  path: string;
  handler: string;
  audit: RouteAudit | null;
  pattern: RegExp;
}

const asArray = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : '/']);
const join = (...parts: string[]): string => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function toPattern(path: string): RegExp {
  const body = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : escape(segment)))
    .join('/');
  // The global prefix (/v1) is optional, so excluded routes (health) match too.
  return new RegExp(`^(?:/v1)?${body}/?$`);
}

/**
 * Every HTTP route with its audit declaration, discovered from the controllers at boot. Used by the
 * route-coverage test and to name the action of a request that never reached its handler (401/403,
 * body refused).
 */
@Injectable()
export class RouteAuditRegistry implements OnModuleInit {
  private routes: AuditedRoute[] = [];
  /** By `METHOD /route/template`: the router's route templates are few, so this stays small. */
  private readonly byTemplate = new Map<string, AuditedRoute | null>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    this.routes = this.discover();
  }

  all(): readonly AuditedRoute[] {
    return this.routes;
  }

  match(method: string, path: string): { route: AuditedRoute; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method && route.method !== 'ALL') continue;
      const found = route.pattern.exec(path);
      if (found) return { route, params: { ...found.groups } };
    }
    return null;
  }

  /**
   * The route of a request the HTTP router already matched, by the template it matched
   * (`/v1/installations/:id`): a map lookup after the first request of each route, instead of
   * trying every pattern against the path.
   */
  forTemplate(method: string, template: string): AuditedRoute | null {
    const key = `${method} ${template}`;
    let route = this.byTemplate.get(key);
    if (route === undefined) {
      // A template matches its own pattern (`:id` is a segment like any other).
      route = this.match(method, template)?.route ?? null;
      this.byTemplate.set(key, route);
    }
    return route;
  }

  private discover(): AuditedRoute[] {
    const routes: AuditedRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const requestMethod: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (methodPath === undefined || typeof requestMethod !== 'number') continue;
        const audit = this.reflector.getAllAndOverride<RouteAudit | undefined>(ROUTE_AUDIT_KEY, [handler, metatype]) ?? null;
        for (const base of asArray(Reflect.getMetadata(PATH_METADATA, metatype))) {
          for (const own of asArray(methodPath)) {
            const path = join(base, own);
            routes.push({
              method: RequestMethod[requestMethod],
              path,
              handler: `${metatype.name}.${name}`,
              audit,
              pattern: toPattern(path),
            });
          }
        }
      }
    }
    return routes;
  }
}
