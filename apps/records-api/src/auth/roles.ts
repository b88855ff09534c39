import { SetMetadata } from '@nestjs/common';

export const ROLES = ['viewer', 'engineer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role includes (DESIGN §4): engineer and auditor are viewers too; admin is everything. */
const IMPLIED: Record<Role, Role[]> = {
  viewer: ['viewer'],
  engineer: ['engineer', 'viewer'],
  auditor: ['auditor', 'viewer'],
  admin: ['admin', 'engineer', 'auditor', 'viewer'],
};

export function effectiveRoles(claimed: readonly string[]): Set<Role> {
  const roles = new Set<Role>();
  for (const role of claimed) {
    if ((ROLES as readonly string[]).includes(role)) IMPLIED[role as Role].forEach((r) => roles.add(r));
  }
  return roles;
}

export const REQUIRED_ROLE_KEY = 'requiredRole';
export const PUBLIC_ROUTE_KEY = 'publicRoute';

/** The least role a route needs. A route without it (and not @Public) is refused: deny by default. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE_KEY, role);

/** Explicit exception to authentication: health probes and docs only. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE_KEY, true);
