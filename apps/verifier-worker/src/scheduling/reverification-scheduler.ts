import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { errorMessage, RoutingKey, UnitOfWork, VerificationReceipt, type ActorContext } from '@app/common';
import { VerifierSettings } from '../config/verifier-settings';
import { checksPerTick, countLiveInstallations, findDueChecks, SCHEDULER_LOCK_KEY } from './reverification-planner';

/**
 * Queues scheduled re-verifications. Coordination is in PostgreSQL, never in process memory: a
 * transaction-scoped advisory lock lets one replica plan per tick, and "due" is computed from the
 * database (last check + interval, nothing already queued), so any number of replicas, restarts
 * and clock ticks produce each check once.
 */
@Injectable()
export class ReverificationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReverificationScheduler');
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<void> | null = null;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly settings: VerifierSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.VERIFIER_SCHEDULER_TICK_MS > 0) this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tick;
  }

  /** One planning pass; returns how many checks it queued (0 when another replica holds the lock). */
  async planOnce(): Promise<number> {
    const actor: ActorContext = { type: 'service', id: `${this.settings.VERIFIER_WORKER_ID}/scheduler` };
    return this.unitOfWork.run(actor, async (changes) => {
      const manager = changes.manager;
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [SCHEDULER_LOCK_KEY]);
      if (!locked) return 0;
      const limit = checksPerTick(
        await countLiveInstallations(manager),
        this.settings.VERIFIER_SCHEDULER_TICK_MS,
        this.settings.VERIFIER_REVERIFY_INTERVAL_MS,
      );
      const due = await findDueChecks(manager, this.settings.VERIFIER_REVERIFY_INTERVAL_MS, limit);
      for (const check of due) {
        const receipt = await manager.save(
          VerificationReceipt,
          manager.create(VerificationReceipt, { ...check, trigger: 'scheduled', requestedBy: actor.id }),
        );
        changes.publish({
          routingKey: RoutingKey.VerificationRequested,
          payload: {
            installationId: check.installationId,
            occurredAt: receipt.requestedAt.toISOString(),
            actor: { type: 'service', id: actor.id },
            receiptId: receipt.id,
            credentialVersionId: check.credentialVersionId,
            trigger: 'scheduled',
          },
        });
      }
      return due.length;
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick = this.planOnce()
        .then((queued) => {
          if (queued > 0) this.logger.log(`queued ${queued} scheduled verification(s)`);
        })
        .catch((error: unknown) => this.logger.warn(`planning failed: ${errorMessage(error)}`))
        .finally(() => {
          this.tick = null;
          if (this.timer !== null) this.schedule();
        });
    }, this.settings.VERIFIER_SCHEDULER_TICK_MS);
  }
}
