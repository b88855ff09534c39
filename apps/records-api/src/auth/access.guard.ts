import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '@app/common';
import type { AuthenticatedRequest } from './authenticated-user';
import { PUBLIC_ROUTE_KEY, REQUIRED_ROLE_KEY, type Role } from './roles';

/** Authentication for every route not marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | import('rxjs').Observable<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, [context.getHandler(), context.getClass()])) return true;
    return super.canActivate(context);
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
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE_KEY, targets);
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!required) throw new DomainError('forbidden', 'route declares no role: denied by default');
    if (!user?.roles.has(required)) throw new DomainError('forbidden', `requires role ${required}`);
    return true;
  }
}
