import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '@app/common';
import type { AuthenticatedRequest } from './authenticated-user';
import { PUBLIC_ROUTE_KEY, REQUIRED_ROLE_KEY, type Role } from './roles';
import { VerifiedTokenCache } from './verified-token-cache';

/** The bearer token exactly as passport-jwt's fromAuthHeaderAsBearerToken reads it. */
function bearerToken(req: AuthenticatedRequest): string | null {
  const header = req.headers.authorization;
  const parts = typeof header === 'string' ? /(\S+)\s+(\S+)/.exec(header) : null;
  return parts && parts[1].toLowerCase() === 'bearer' ? parts[2] : null;
}

/** What a route declares about access, read once per handler instead of on every request. */
interface RouteAccess {
  isPublic: boolean;
  required: Role | undefined;
}

function routeAccessReader(reflector: Reflector): (context: ExecutionContext) => RouteAccess {
  const byHandler = new WeakMap<object, RouteAccess>();
  return (context) => {
    const handler = context.getHandler();
    let access = byHandler.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets) === true,
        required: reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE_KEY, targets),
      };
      byHandler.set(handler, access);
    }
    return access;
  };
}

/**
 * Authentication for every route not marked @Public(): passport-jwt verifies the token; a token
 * that verified is then served from a short, bounded cache (VerifiedTokenCache) until it expires.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly verified = new VerifiedTokenCache();
  private readonly routeAccess: (context: ExecutionContext) => RouteAccess;

  constructor(reflector: Reflector) {
    super();
    this.routeAccess = routeAccessReader(reflector);
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.routeAccess(context).isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(req);
    const known = token ? this.verified.get(token) : null;
    if (known) {
      req.user = known;
      return true;
    }
    return this.verify(context, req, token);
  }

  private async verify(context: ExecutionContext, req: AuthenticatedRequest, token: string | null): Promise<boolean> {
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token && req.user) this.verified.remember(token, req.user, req.user.expiresAt);
    return allowed;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error instanceof DomainError) throw error;
    if (error || !user) {
      const reason = info instanceof Error ? info.message : 'missing or invalid bearer token';
      throw new DomainError('unauthenticated', `authentication required: ${reason}`);
    }
    return user;
  }
}

/** Authorisation: the route's required role, and nothing for routes that declare none. */
@Injectable()
export class RoleGuard implements CanActivate {
  private readonly routeAccess: (context: ExecutionContext) => RouteAccess;

  constructor(reflector: Reflector) {
    this.routeAccess = routeAccessReader(reflector);
  }

  canActivate(context: ExecutionContext): boolean {
    const { isPublic, required } = this.routeAccess(context);
    if (isPublic) return true;
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!required) throw new DomainError('forbidden', 'route declares no role: denied by default');
    if (!user?.roles.has(required)) throw new DomainError('forbidden', `requires role ${required}`);
    return true;
  }
}
