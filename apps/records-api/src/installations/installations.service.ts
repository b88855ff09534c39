import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  ActorContext,
  diffFields,
  DomainError,
  EnvironmentVariables,
  getVendorTemplate,
  IdempotencyRecord,
  Installation,
  RoutingKey,
  UnitOfWork,
  applySectionPatch,
  validateEndpoints,
  validateTemplateSection,
  type Environment,
  type ErrorDetail,
  type Vendor,
} from '@app/common';
import { CredentialWriter } from '../credentials/credential-writer';
import { CreateInstallationDto, UpdateInstallationDto } from './dto/installation-input.dto';
import { InstallationPageView, InstallationView } from './dto/installation.view';
import { DEFAULT_PAGE_SIZE, ListInstallationsQuery } from './dto/list-installations.query';
import { decodeCursor, encodeCursor } from './installation-cursor';
import {
  credentialSummaryFromRow,
  installationFromRow,
  listInstallationsSql,
  readQueries,
  type QueryRunnerFn,
  SELECT_INSTALLATION_BY_ID,
  SELECT_LIVE_CREDENTIALS,
} from './installation-reads';
import { auditSnapshot, toInstallationView } from './installation.mapper';

const CREATE_ROUTE = 'POST /v1/installations';

export function externalKeyOf(vendor: string, propertyId: string, environment: string): string {
  return `${vendor}:${propertyId}:${environment}`;
}

/**
 * Validated DTO instances carry every declared optional property as `undefined` (ES2022 class
 * fields), which would overwrite stored values when spread; keep only what the client sent.
 */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function requireReasonForProduction(installation: Installation, actor: ActorContext): void {
  if (installation.environment === 'production' && !actor.reason) {
    throw DomainError.validation(
      [
        {
          path: 'header.X-Change-Reason',
          message: 'a reason is required to change a production installation (X-Change-Reason header or body field reason)',
        },
      ],
      'change reason required',
    );
  }
}

@Injectable()
export class InstallationsService {
  private readonly reads: QueryRunnerFn;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly credentialWriter: CredentialWriter,
    private readonly env: EnvironmentVariables,
  ) {
    this.reads = readQueries(dataSource);
  }

  private allowedExtraHosts(): string[] {
    return this.env.PARTNER_HOST_ALLOWLIST.split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  }

  /** Every problem of a create body at once, each with its path. */
  validateCreate(dto: CreateInstallationDto): void {
    const vendor = dto.vendor as Vendor;
    const environment = dto.environment as Environment;
    const problems: ErrorDetail[] = [
      ...validateTemplateSection(vendor, 'config', dto.config, 'config', { environment }),
      ...(dto.credentials === undefined
        ? []
        : validateTemplateSection(vendor, 'credentials', dto.credentials, 'credentials', { environment })),
      ...(dto.endpoints === undefined
        ? []
        : validateEndpoints(vendor, environment, dto.endpoints, 'endpoints', { additionalAllowedHosts: this.allowedExtraHosts() })),
    ];
    if (problems.length > 0) throw DomainError.validation(problems);
  }

  async create(
    dto: CreateInstallationDto,
    actor: ActorContext,
    idempotencyKey?: string,
  ): Promise<{ view: InstallationView; replayed: boolean }> {
    this.validateCreate(dto);
    const requestHash = createHash('sha256').update(JSON.stringify(dto)).digest('hex');
    const outcome = await this.unitOfWork.run(actor, async (changes): Promise<{ view: InstallationView; replayed: boolean }> => {
      const manager = changes.manager;
      if (idempotencyKey) {
        const replay = await this.claimIdempotencyKey(manager, actor, idempotencyKey, requestHash);
        if (replay) return { view: await this.get(replay, manager), replayed: true };
      }
      const installation = await this.insertInstallation(manager, dto, actor);
      changes.audit({
        action: 'installation.created',
        targetType: 'installation',
        targetId: installation.id,
        changes: diffFields({}, auditSnapshot(installation)),
        metadata: { vendor: installation.vendor, environment: installation.environment, externalKey: installation.externalKey },
      });
      changes.publish({
        routingKey: RoutingKey.InstallationCreated,
        payload: {
          installationId: installation.id,
          occurredAt: new Date().toISOString(),
          actor: { type: actor.type, id: actor.id, requestId: actor.requestId },
          vendor: installation.vendor,
          environment: installation.environment,
        },
      });
      if (dto.credentials) await this.credentialWriter.submit(changes, installation, dto.credentials, 'submitted');
      if (idempotencyKey) {
        await manager.update(
          IdempotencyRecord,
          { actorId: actor.id, key: idempotencyKey },
          { resourceId: installation.id, responseStatus: 201 },
        );
      }
      // Read inside the transaction: once it commits, the answer must not depend on another round trip.
      return { view: await this.get(installation.id, manager), replayed: false };
    });
    return outcome;
  }

  /**
   * Claims the key for this actor. A concurrent retry blocks on the primary key until the first
   * request commits, then sees its result; the same key with a different body is refused.
   */
  private async claimIdempotencyKey(manager: EntityManager, actor: ActorContext, key: string, requestHash: string): Promise<string | null> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_records (actor_id, key, route, request_hash, response_status, resource_id)
       VALUES ($1, $2, $3, $4, 0, '') ON CONFLICT (actor_id, key) DO NOTHING RETURNING key`,
      [actor.id, key, CREATE_ROUTE, requestHash],
    );
    if (inserted.length > 0) return null;
    const existing = await manager.findOneByOrFail(IdempotencyRecord, { actorId: actor.id, key });
    if (existing.route !== CREATE_ROUTE || existing.requestHash !== requestHash) {
      throw new DomainError('idempotency_key_reused', 'Idempotency-Key was already used with a different request', [
        { path: 'header.Idempotency-Key', message: 'reused with a different body' },
      ]);
    }
    return existing.resourceId;
  }

  private async insertInstallation(manager: EntityManager, dto: CreateInstallationDto, actor: ActorContext): Promise<Installation> {
    const vendor = dto.vendor as Vendor;
    const environment = dto.environment as Environment;
    const template = getVendorTemplate(vendor);
    const externalKey = externalKeyOf(vendor, dto.propertyId, environment);
    const taken = await manager.query('SELECT 1 FROM installations WHERE external_key = $1', [externalKey]);
    if (taken.length > 0) {
      throw new DomainError('conflict', `an installation ${externalKey} already exists`, [
        { path: 'propertyId', message: `${externalKey} is taken` },
      ]);
    }
    const defaults = template.defaultEndpoints[environment];
    const entity = manager.create(Installation, {
      vendor,
      environment,
      propertyId: dto.propertyId,
      propertyName: dto.propertyName,
      externalKey,
      config: dto.config,
      endpoints: (dto.endpoints as Installation['endpoints'] | undefined) ?? { baseUrl: defaults.baseUrl, paths: { ...defaults.paths } },
      versions: { partnerApi: template.partnerApiVersion, ...definedOnly(dto.versions) },
      ownerTeam: dto.ownerTeam ?? null,
      documentation: { dataFlows: template.dataFlows, ...definedOnly(dto.documentation) } as Record<string, unknown>,
      status: 'draft',
      installedAt: dto.installedAt ? new Date(dto.installedAt) : null,
      installedBy: dto.installedBy ?? null,
      createdBy: actor.id,
    });
    try {
      return await manager.save(Installation, entity);
    } catch (error) {
      // The unique index settles a race between two creates of the same key.
      if ((error as { code?: string }).code === '23505') throw new DomainError('conflict', `an installation ${externalKey} already exists`);
      throw error;
    }
  }

  async get(id: string, manager?: EntityManager): Promise<InstallationView> {
    const query = manager ? readQueries(this.dataSource, manager) : this.reads;
    const [row] = await query<Record<string, unknown>>(SELECT_INSTALLATION_BY_ID, [id]);
    if (!row) throw DomainError.notFound('installation', id);
    const credentials = await query<Record<string, unknown>>(SELECT_LIVE_CREDENTIALS, [[id]]);
    return toInstallationView(installationFromRow(row), credentials.map(credentialSummaryFromRow));
  }

  async list(query: ListInstallationsQuery): Promise<InstallationPageView> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const { sql, params } = listInstallationsSql({
      vendor: query.vendor,
      status: query.status,
      environment: query.environment,
      propertyId: query.propertyId,
      nameLike: query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined,
      cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit,
    });
    const rows = await this.reads<Record<string, unknown> & { cursor_ts: string }>(sql, params);
    const page = rows.slice(0, limit);
    const credentials = page.length
      ? (await this.reads<Record<string, unknown>>(SELECT_LIVE_CREDENTIALS, [page.map((r) => r.id)])).map(credentialSummaryFromRow)
      : [];
    const items = page.map((r) =>
      toInstallationView(
        installationFromRow(r),
        credentials.filter((c) => c.installationId === r.id),
      ),
    );
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor({ createdAt: last.cursor_ts, id: String(last.id) }) : null;
    return { items, nextCursor };
  }

  /** Loads for a write and checks If-Match against the stored version. */
  static async lockForWrite(manager: EntityManager, id: string, ifMatch: number): Promise<Installation> {
    const installation = await manager.findOne(Installation, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!installation) throw DomainError.notFound('installation', id);
    if (installation.version !== ifMatch) {
      throw new DomainError(
        'precondition_failed',
        `installation ${id} is at version ${installation.version}, not ${ifMatch}: reload and retry`,
        [{ path: 'header.If-Match', message: `stale version ${ifMatch}; current is ${installation.version}` }],
      );
    }
    return installation;
  }

  async update(id: string, dto: UpdateInstallationDto, ifMatch: number, actor: ActorContext): Promise<InstallationView> {
    const withReason: ActorContext = { ...actor, reason: dto.reason ?? actor.reason ?? null };
    return this.unitOfWork.run(withReason, async (changes) => {
      const installation = await InstallationsService.lockForWrite(changes.manager, id, ifMatch);
      if (installation.status === 'decommissioned') throw new DomainError('conflict', `installation ${id} is decommissioned`);
      requireReasonForProduction(installation, withReason);
      const before = auditSnapshot(installation);
      this.applyUpdate(installation, dto);
      const after = auditSnapshot(installation);
      const fieldChanges = diffFields(before, after);
      if (fieldChanges.length === 0) return this.get(id, changes.manager);
      const saved = await changes.manager.save(Installation, installation);
      changes.audit({ action: 'installation.updated', targetType: 'installation', targetId: id, changes: fieldChanges });
      changes.publish({
        routingKey: RoutingKey.InstallationUpdated,
        payload: {
          installationId: id,
          occurredAt: new Date().toISOString(),
          actor: { type: actor.type, id: actor.id, requestId: actor.requestId },
          version: saved.version,
          changedFields: fieldChanges.map((c) => c.field),
        },
      });
      return this.get(id, changes.manager);
    });
  }

  private applyUpdate(installation: Installation, dto: UpdateInstallationDto): void {
    const vendor = installation.vendor as Vendor;
    const environment = installation.environment as Environment;
    const problems: ErrorDetail[] = [];
    if (dto.config !== undefined) {
      problems.push(...validateTemplateSection(vendor, 'config', dto.config, 'config', { environment, partial: true }));
      const merged = applySectionPatch(installation.config, dto.config);
      if (problems.length === 0) problems.push(...validateTemplateSection(vendor, 'config', merged, 'config', { environment }));
      installation.config = merged;
    }
    if (dto.endpoints !== undefined) {
      problems.push(
        ...validateEndpoints(vendor, environment, dto.endpoints, 'endpoints', { additionalAllowedHosts: this.allowedExtraHosts() }),
      );
      installation.endpoints = dto.endpoints as unknown as Installation['endpoints'];
    }
    if (problems.length > 0) throw DomainError.validation(problems);
    if (dto.propertyName !== undefined) installation.propertyName = dto.propertyName;
    if (dto.versions !== undefined) installation.versions = { ...installation.versions, ...definedOnly(dto.versions) };
    if (dto.ownerTeam !== undefined) installation.ownerTeam = dto.ownerTeam;
    if (dto.documentation !== undefined) installation.documentation = { ...installation.documentation, ...definedOnly(dto.documentation) };
    if (dto.installedAt !== undefined) installation.installedAt = new Date(dto.installedAt);
    if (dto.installedBy !== undefined) installation.installedBy = dto.installedBy;
  }

  /** Soft: the record, its credentials and its history stay; the status says it is retired. */
  async decommission(id: string, ifMatch: number, actor: ActorContext): Promise<InstallationView> {
    return this.unitOfWork.run(actor, async (changes) => {
      const installation = await InstallationsService.lockForWrite(changes.manager, id, ifMatch);
      if (installation.status === 'decommissioned') throw new DomainError('conflict', `installation ${id} is already decommissioned`);
      requireReasonForProduction(installation, actor);
      const before = auditSnapshot(installation);
      const now = new Date();
      installation.status = 'decommissioned';
      installation.statusChangedAt = now;
      installation.decommissionedAt = now;
      await changes.manager.save(Installation, installation);
      changes.audit({
        action: 'installation.decommissioned',
        targetType: 'installation',
        targetId: id,
        changes: diffFields(before, auditSnapshot(installation)),
      });
      changes.publish({
        routingKey: RoutingKey.InstallationDecommissioned,
        payload: {
          installationId: id,
          occurredAt: now.toISOString(),
          actor: { type: actor.type, id: actor.id, requestId: actor.requestId },
        },
      });
      return this.get(id, changes.manager);
    });
  }
}
