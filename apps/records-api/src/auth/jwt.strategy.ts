import { Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy, type SecretOrKeyProvider, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { DomainError, EnvironmentVariables } from '@app/common';
import type { AuthenticatedUser } from './authenticated-user';
import { effectiveRoles } from './roles';

/**
 * The HS256 secret as a ready KeyObject. Given a string, jsonwebtoken 9 first tries to parse it as
 * a public key on every verify (~0.3 ms of CPU per request, measured in bench/).
 */
function hmacKeyProvider(secret: string): SecretOrKeyProvider<FastifyRequest> {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  // passport-jwt's types say string | Buffer; it hands the value to jsonwebtoken, which takes KeyObjects.
  return (_request, _rawToken, done) => done(null, key as unknown as string);
}

interface TokenClaims {
  sub?: unknown;
  name?: unknown;
  iss?: unknown;
  exp?: unknown;
  roles?: unknown;
  actor_type?: unknown;
}

/**
 * Bearer JWT. HS256 with JWT_SECRET for development, RS256 from JWT_JWKS_URI for a real identity
 * provider; exactly one algorithm is accepted (no algorithm confusion), issuer and audience are
 * checked, and tokens without `exp` are refused (jsonwebtoken would accept them).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(env: EnvironmentVariables) {
    const common = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 30 },
    };
    const options: StrategyOptionsWithoutRequest = env.JWT_JWKS_URI
      ? {
          ...common,
          algorithms: ['RS256'],
          secretOrKeyProvider: passportJwtSecret({ jwksUri: env.JWT_JWKS_URI, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }),
        }
      : { ...common, algorithms: ['HS256'], secretOrKeyProvider: hmacKeyProvider(env.JWT_SECRET as string) };
    super(options);
  }

  validate(claims: TokenClaims): AuthenticatedUser {
    if (typeof claims.exp !== 'number') throw new DomainError('unauthenticated', 'token has no expiry (exp)');
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new DomainError('unauthenticated', 'token has no subject (sub)');
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      sub: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : null,
      issuer: String(claims.iss),
      actorType: claims.actor_type === 'automation' ? 'automation' : 'user',
      roles: effectiveRoles(roles),
      expiresAt: claims.exp * 1000,
    };
  }
}
