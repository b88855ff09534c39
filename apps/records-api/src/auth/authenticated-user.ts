import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ActorContext } from '@app/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from './roles';

/** The caller, as the JWT strategy validated it. */
export interface AuthenticatedUser {
  sub: string;
  name: string | null;
  issuer: string;
  actorType: 'user' | 'automation';
  roles: Set<Role>;
  /** The token's `exp`, in epoch milliseconds: how long the verified token may be reused. */
  expiresAt: number;
}

export type AuthenticatedRequest = FastifyRequest & { user: AuthenticatedUser };

/** The actor of a request, for the write path and its audit rows. */
export function actorOf(req: AuthenticatedRequest, reason?: string | null): ActorContext {
  return {
    type: req.user.actorType,
    id: req.user.sub,
    name: req.user.name,
    issuer: req.user.issuer,
    requestId: req.id,
    sourceIp: req.ip ?? null,
    reason: reason ?? null,
  };
}

/** `@Actor() actor: ActorContext` in a controller. Also reads the X-Change-Reason header. */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): ActorContext => {
  const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const header = req.headers['x-change-reason'];
  return actorOf(req, typeof header === 'string' && header.trim() ? header.trim() : null);
});
