import {
  FAULT_KINDS,
  FaultKind,
  FaultPlan,
  ParkWhizClientConfig,
  PartnerSandboxConfig,
  SANDBOX_ROUTES,
  SandboxRoute,
  SpotHeroKeyConfig,
} from './sandbox-config';

/** Raised for a config document (file, env or admin request) of the wrong shape; never quotes values. */
export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, expected: string): never {
  throw new SandboxConfigError(`${where}: expected ${expected}`);
}

function str(value: unknown, where: string): string {
  return typeof value === 'string' && value.length > 0 ? value : fail(where, 'a non-empty string');
}

function optionalStr(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : str(value, where);
}

function optionalInt(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : fail(where, 'an integer >= 0');
}

function list<T>(value: unknown, where: string, item: (v: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) fail(where, 'an array');
  return value.map((v, i) => item(v, `${where}[${i}]`));
}

/** Ids may be written as numbers in JSON (ParkWhiz ids are integers); they are kept as strings. */
function id(value: unknown, where: string): string {
  return typeof value === 'number' && Number.isInteger(value) ? String(value) : str(value, where);
}

function parkwhizClient(value: unknown, where: string): ParkWhizClientConfig {
  if (!isRecord(value)) fail(where, 'an object');
  return {
    clientId: str(value.clientId, `${where}.clientId`),
    clientSecret: str(value.clientSecret, `${where}.clientSecret`),
    grantedScope: optionalStr(value.grantedScope, `${where}.grantedScope`),
  };
}

function spotheroKey(value: unknown, where: string): SpotHeroKeyConfig {
  if (typeof value === 'string') return { key: str(value, where) };
  if (!isRecord(value)) fail(where, 'a string or an object');
  return { key: str(value.key, `${where}.key`), label: optionalStr(value.label, `${where}.label`) };
}

function faultPlan(value: unknown, where: string): FaultPlan {
  if (!isRecord(value)) fail(where, 'an object');
  const kind = value.kind;
  if (kind !== undefined && !FAULT_KINDS.includes(kind as FaultKind)) fail(`${where}.kind`, FAULT_KINDS.join(' | '));
  const routes =
    value.routes === undefined
      ? undefined
      : list(value.routes, `${where}.routes`, (r, at) =>
          SANDBOX_ROUTES.includes(r as SandboxRoute) ? (r as SandboxRoute) : fail(at, SANDBOX_ROUTES.join(' | ')),
        );
  return {
    kind: kind as FaultKind | undefined,
    latencyMs: optionalInt(value.latencyMs, `${where}.latencyMs`),
    status: optionalInt(value.status, `${where}.status`),
    retryAfterSeconds: optionalInt(value.retryAfterSeconds, `${where}.retryAfterSeconds`),
    bodyBytes: optionalInt(value.bodyBytes, `${where}.bodyBytes`),
    location: optionalStr(value.location, `${where}.location`),
    failFirst: optionalInt(value.failFirst, `${where}.failFirst`),
    routes,
  };
}

/** Parses a partial config: each top-level field present replaces the current one. */
export function parseSandboxConfigPatch(value: unknown): Partial<PartnerSandboxConfig> {
  if (!isRecord(value)) fail('config', 'an object');
  const known = ['parkwhizClients', 'spotheroKeys', 'locationIds', 'facilityIds', 'faults'];
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new SandboxConfigError(`config: unknown field(s) ${unknown.join(', ')}`);
  const patch: Partial<PartnerSandboxConfig> = {};
  if (value.parkwhizClients !== undefined) patch.parkwhizClients = list(value.parkwhizClients, 'parkwhizClients', parkwhizClient);
  if (value.spotheroKeys !== undefined) patch.spotheroKeys = list(value.spotheroKeys, 'spotheroKeys', spotheroKey);
  if (value.locationIds !== undefined) patch.locationIds = list(value.locationIds, 'locationIds', id);
  if (value.facilityIds !== undefined) patch.facilityIds = list(value.facilityIds, 'facilityIds', id);
  if (value.faults !== undefined) {
    const faults = value.faults;
    if (!isRecord(faults)) fail('faults', 'an object keyed by credential');
    // Fault keys may be SpotHero keys: errors name the entry by position, never by key.
    patch.faults = Object.fromEntries(Object.entries(faults).map(([k, v], i) => [k, faultPlan(v, `faults[#${i}]`)]));
  }
  return patch;
}
