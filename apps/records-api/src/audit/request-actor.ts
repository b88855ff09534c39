import type { ActorContext } from '@app/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../auth/authenticated-user';

/** Id recorded for requests refused before authentication: there is no verified subject. */
export const ANONYMOUS_ACTOR_ID = 'anonymous';

/** The actor of any request, authenticated or not (denied and refused requests are audited too). */
export function requestActor(req: FastifyRequest): ActorContext {
  const user = (req as FastifyRequest & { user?: AuthenticatedUser }).user;
  const requestId = req.id;
  if (!user) return { type: 'user', id: ANONYMOUS_ACTOR_ID, requestId, sourceIp: req.ip ?? null };
  return { type: user.actorType, id: user.sub, name: user.name, issuer: user.issuer, requestId, sourceIp: req.ip ?? null };
}
