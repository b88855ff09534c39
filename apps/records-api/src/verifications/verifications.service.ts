import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialVersion, DomainError, Installation, RoutingKey, UnitOfWork, VerificationReceipt, type ActorContext } from '@app/common';
import { decodeCursor, encodeCursor } from '../installations/installation-cursor';
import type {
  ListVerificationsQuery,
  VerificationPageView,
  VerificationReceiptView,
  VerificationRequestedView,
} from './dto/verification.view';

const DEFAULT_PAGE = 25;

@Injectable()
export class VerificationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Queues a manual check: receipt + audit row + `verification.requested` in one transaction. */
  async request(installationId: string, actor: ActorContext): Promise<VerificationRequestedView> {
    return this.unitOfWork.run(actor, async (changes) => {
      const manager = changes.manager;
      const installation = await manager.findOne(Installation, { where: { id: installationId }, lock: { mode: 'pessimistic_read' } });
      if (!installation) throw DomainError.notFound('installation', installationId);
      if (installation.status === 'decommissioned') throw new DomainError('conflict', `installation ${installationId} is decommissioned`);
      const credential =
        (await manager.findOne(CredentialVersion, { where: { installationId, state: 'active' } })) ??
        (await manager.findOne(CredentialVersion, { where: { installationId, state: 'pending' }, order: { version: 'DESC' } }));
      if (!credential) throw new DomainError('conflict', `installation ${installationId} has no active or pending credential to verify`);
      const receipt = await manager.save(
        VerificationReceipt,
        manager.create(VerificationReceipt, {
          installationId,
          credentialVersionId: credential.id,
          trigger: 'manual',
          requestedBy: actor.id,
        }),
      );
      changes.audit({
        action: 'verification.requested',
        targetType: 'installation',
        targetId: installationId,
        metadata: { receiptId: receipt.id, credentialVersion: credential.version, trigger: 'manual' },
      });
      changes.publish({
        routingKey: RoutingKey.VerificationRequested,
        payload: {
          installationId,
          occurredAt: receipt.requestedAt.toISOString(),
          actor: { type: actor.type, id: actor.id, requestId: actor.requestId ?? null },
          receiptId: receipt.id,
          credentialVersionId: credential.id,
          trigger: 'manual',
        },
      });
      return { receiptId: receipt.id };
    });
  }

  /** Keyset pages over (requested_at DESC, id DESC). */
  async list(installationId: string, query: ListVerificationsQuery): Promise<VerificationPageView> {
    const found = await this.dataSource.query('SELECT 1 FROM installations WHERE id = $1', [installationId]);
    if (found.length === 0) throw DomainError.notFound('installation', installationId);
    const limit = query.limit ?? DEFAULT_PAGE;
    const qb = this.dataSource
      .getRepository(VerificationReceipt)
      .createQueryBuilder('r')
      .addSelect(`to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_ts')
      .where('r.installation_id = :installationId', { installationId });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      qb.andWhere('(r.requested_at, r.id) < (:cursorTs::timestamptz, :cursorId::uuid)', {
        cursorTs: cursor.createdAt,
        cursorId: cursor.id,
      });
    }
    qb.orderBy('r.requested_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_ts: string }>();
    const page = entities.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = entities.length > limit && last ? encodeCursor({ createdAt: raw[page.length - 1].cursor_ts, id: last.id }) : null;
    return { items: page.map(toReceiptView), nextCursor };
  }
}

function toReceiptView(r: VerificationReceipt): VerificationReceiptView {
  return {
    id: r.id,
    credentialVersionId: r.credentialVersionId,
    trigger: r.trigger,
    state: r.state,
    outcome: r.outcome,
    failureClass: r.failureClass,
    detail: r.detail,
    probeMethod: r.probeMethod,
    probeHost: r.probeHost,
    probePath: r.probePath,
    httpStatus: r.httpStatus,
    latencyMs: r.latencyMs,
    workerId: r.workerId,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    completedAt: r.completedAt?.toISOString() ?? null,
  };
}
