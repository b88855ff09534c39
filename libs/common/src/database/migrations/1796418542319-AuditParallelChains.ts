import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditParallelChains1796418542319 implements MigrationInterface {
  name = 'AuditParallelChains1796418542319';

  // Parallel hash chains (audit-writer.ts). Rows and checkpoints written before this migration
  // become chain 0, whose rows are hashed without the chain field and whose checkpoints keep their
  // v1 signatures, so they verify unchanged. Adding a column with a constant default rewrites no
  // rows (and fires no row triggers on the append-only table).
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" ADD "chain" smallint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "chain" smallint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`CREATE INDEX "audit_events_chain" ON "audit_events" ("chain", "seq") `);
  }

  // Only before any row has gone to a chain other than 0: dropping the column forgets which chain a
  // row belongs to, and the trail no longer verifies.
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_events_chain"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "chain"`);
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" DROP COLUMN "chain"`);
  }
}
