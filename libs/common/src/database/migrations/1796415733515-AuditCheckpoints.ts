import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditCheckpoints1796415733515 implements MigrationInterface {
  name = 'AuditCheckpoints1796415733515';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_checkpoints" ("seq" bigint NOT NULL, "hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "key_id" text NOT NULL, "signature" text NOT NULL, CONSTRAINT "PK_00d27c519361818fba5bb6602de" PRIMARY KEY ("seq"))`,
    );
    // Hand-written below: checkpoints are append-only like the trail they vouch for (the
    // application role's UPDATE/DELETE/TRUNCATE are revoked by database-bootstrap.ts).
    await queryRunner.query(`CREATE FUNCTION "audit_checkpoints_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_checkpoints_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoints" FOR EACH ROW EXECUTE FUNCTION "audit_checkpoints_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints" FOR EACH STATEMENT EXECUTE FUNCTION "audit_checkpoints_refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_checkpoints_no_truncate" ON "audit_checkpoints"`);
    await queryRunner.query(`DROP TRIGGER "audit_checkpoints_no_update_delete" ON "audit_checkpoints"`);
    await queryRunner.query(`DROP FUNCTION "audit_checkpoints_refuse_change"()`);
    await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
  }
}
