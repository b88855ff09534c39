import type { CredentialVersion, Installation } from '@app/common';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The read model of installations: explicit columns, plain SQL, hand mapping. Read paths are the
 * hot paths (bench/), and they never load `secret_ciphertext`: a view has no use for it, and
 * what is not read cannot leak. The raw benchmark baseline runs these same statements.
 */
export type QueryRunnerFn = <T>(sql: string, params: unknown[]) => Promise<T[]>;
type Row = Record<string, unknown>;

/**
 * Outside a transaction, reads go straight to the connection pool TypeORM's driver owns (same
 * pool, same settings, same errors): TypeORM's per-query QueryRunner (create, connect, broadcast,
 * release) was ~4% of a read by id's CPU. Inside a transaction they go through its manager.
 */
export function readQueries(dataSource: DataSource, manager?: EntityManager): QueryRunnerFn {
  if (manager && manager !== dataSource.manager) return (sql, params) => manager.query(sql, params);
  return async <T>(sql: string, params: unknown[]): Promise<T[]> => {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    return (await pool.query(sql, params)).rows as T[];
  };
}

const INSTALLATION_COLUMNS = `id, vendor, environment, property_id, property_name, external_key, config, endpoints, versions, owner_team,
  documentation, status, status_changed_at, authenticated_at, initial_sync_completed_at, auth_failed_at, degraded_at, decommissioned_at,
  last_verified_at, consecutive_transient_failures, installed_at, installed_by, created_by, version, created_at, updated_at`;
const CREDENTIAL_SUMMARY_COLUMNS = `id, installation_id, version, state, key_id, fingerprint, masked_fields, submitted_at,
  submitted_by, verified_at, rotation_due_at, superseded_at, revoked_at`;
/** Microsecond text of created_at: the keyset cursor must not lose precision to a JS Date. */
const CURSOR_TS = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

export const SELECT_INSTALLATION_BY_ID = `SELECT ${INSTALLATION_COLUMNS} FROM installations WHERE id = $1`;
export const SELECT_LIVE_CREDENTIALS = `SELECT ${CREDENTIAL_SUMMARY_COLUMNS} FROM credential_versions
  WHERE installation_id = ANY($1::uuid[]) AND state IN ('active', 'pending')`;

export interface InstallationListFilter {
  vendor?: string;
  status?: string;
  environment?: string;
  propertyId?: string;
  /** Already escaped for ILIKE and wrapped in %…%. */
  nameLike?: string;
  cursor?: { createdAt: string; id: string };
  limit: number;
}

/** Keyset page over (created_at DESC, id DESC), served by the installations_list_order index. */
export function listInstallationsSql(filter: InstallationListFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (clause: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.vendor) add((p) => `vendor = ${p}`, filter.vendor);
  if (filter.status) add((p) => `status = ${p}`, filter.status);
  if (filter.environment) add((p) => `environment = ${p}`, filter.environment);
  if (filter.propertyId) add((p) => `property_id = ${p}`, filter.propertyId);
  if (filter.nameLike) add((p) => `property_name ILIKE ${p} ESCAPE '\\'`, filter.nameLike);
  if (filter.cursor) {
    params.push(filter.cursor.createdAt, filter.cursor.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(filter.limit + 1);
  const sql = `SELECT ${INSTALLATION_COLUMNS}, ${CURSOR_TS} FROM installations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
  return { sql, params };
}

export function installationFromRow(r: Row): Installation {
  return {
    id: r.id,
    vendor: r.vendor,
    environment: r.environment,
    propertyId: r.property_id,
    propertyName: r.property_name,
    externalKey: r.external_key,
    config: r.config,
    endpoints: r.endpoints,
    versions: r.versions,
    ownerTeam: r.owner_team,
    documentation: r.documentation,
    status: r.status,
    statusChangedAt: r.status_changed_at,
    authenticatedAt: r.authenticated_at,
    initialSyncCompletedAt: r.initial_sync_completed_at,
    authFailedAt: r.auth_failed_at,
    degradedAt: r.degraded_at,
    decommissionedAt: r.decommissioned_at,
    lastVerifiedAt: r.last_verified_at,
    consecutiveTransientFailures: r.consecutive_transient_failures,
    installedAt: r.installed_at,
    installedBy: r.installed_by,
    createdBy: r.created_by,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as Installation;
}

/** A credential version without its ciphertext (never selected on read paths). */
export function credentialSummaryFromRow(r: Row): CredentialVersion {
  return {
    id: r.id,
    installationId: r.installation_id,
    version: r.version,
    state: r.state,
    keyId: r.key_id,
    fingerprint: r.fingerprint,
    maskedFields: r.masked_fields,
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
    verifiedAt: r.verified_at,
    rotationDueAt: r.rotation_due_at,
    supersededAt: r.superseded_at,
    revokedAt: r.revoked_at,
  } as CredentialVersion;
}
