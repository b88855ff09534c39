import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1796415147036 implements MigrationInterface {
  name = 'Initial1796415147036';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("seq" bigint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_type" text NOT NULL, "actor_id" text NOT NULL, "actor_name" text, "actor_issuer" text, "action" text NOT NULL, "target_type" text, "target_id" text, "outcome" text NOT NULL, "reason" text, "request_id" text, "source_ip" text, "changes" jsonb, "metadata" jsonb, "prev_hash" text NOT NULL, "hash" text NOT NULL, CONSTRAINT "PK_6e299f5706e715265416fefe53e" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE INDEX "audit_events_action" ON "audit_events" ("action", "seq") `);
    await queryRunner.query(`CREATE INDEX "audit_events_actor" ON "audit_events" ("actor_id", "seq") `);
    await queryRunner.query(`CREATE INDEX "audit_events_occurred" ON "audit_events" ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "audit_events_target" ON "audit_events" ("target_type", "target_id", "seq") `);
    await queryRunner.query(
      `CREATE TABLE "installations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "vendor" text NOT NULL, "environment" text NOT NULL, "property_id" text NOT NULL, "property_name" text NOT NULL, "external_key" text NOT NULL, "config" jsonb NOT NULL DEFAULT '{}', "endpoints" jsonb NOT NULL, "versions" jsonb NOT NULL DEFAULT '{}', "owner_team" text, "documentation" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'draft', "status_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "authenticated_at" TIMESTAMP WITH TIME ZONE, "initial_sync_completed_at" TIMESTAMP WITH TIME ZONE, "auth_failed_at" TIMESTAMP WITH TIME ZONE, "degraded_at" TIMESTAMP WITH TIME ZONE, "decommissioned_at" TIMESTAMP WITH TIME ZONE, "last_verified_at" TIMESTAMP WITH TIME ZONE, "consecutive_transient_failures" integer NOT NULL DEFAULT '0', "installed_at" TIMESTAMP WITH TIME ZONE, "installed_by" text, "created_by" text NOT NULL, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_21c7fb94d81eca7a66e64bd2b7f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "installations_external_key" ON "installations" ("external_key") `);
    await queryRunner.query(`CREATE INDEX "installations_vendor_status" ON "installations" ("vendor", "status") `);
    await queryRunner.query(`CREATE INDEX "installations_list_order" ON "installations" ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "credential_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "installation_id" uuid NOT NULL, "version" integer NOT NULL, "state" text NOT NULL DEFAULT 'pending', "key_id" text NOT NULL, "secret_ciphertext" bytea NOT NULL, "fingerprint" text NOT NULL, "masked_fields" jsonb NOT NULL, "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "submitted_by" text NOT NULL, "verified_at" TIMESTAMP WITH TIME ZONE, "rotation_due_at" TIMESTAMP WITH TIME ZONE, "superseded_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_043316e51edc6dbb84234b3ca53" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "credential_versions_key_id" ON "credential_versions" ("key_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credential_versions_installation_version" ON "credential_versions" ("installation_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "deployments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "installation_id" uuid NOT NULL, "deployed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "versions" jsonb NOT NULL, "notes" text, "recorded_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1e5627acb3c950deb83fe98fc48" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "deployments_time" ON "deployments" ("deployed_at") `);
    await queryRunner.query(`CREATE INDEX "deployments_installation_time" ON "deployments" ("installation_id", "deployed_at") `);
    await queryRunner.query(
      `CREATE TABLE "idempotency_records" ("actor_id" text NOT NULL, "key" text NOT NULL, "route" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer NOT NULL, "resource_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_52be13d1a2a9f4945f333e02b6e" PRIMARY KEY ("actor_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_events" ("id" uuid NOT NULL, "exchange" text NOT NULL, "routing_key" text NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "outbox_events_pending" ON "outbox_events" ("available_at") WHERE sent_at IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "processed_messages" ("consumer" text NOT NULL, "message_id" uuid NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d4853eee97acfc588e49f9290d1" PRIMARY KEY ("consumer", "message_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "verification_receipts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "installation_id" uuid NOT NULL, "credential_version_id" uuid NOT NULL, "trigger" text NOT NULL, "state" text NOT NULL DEFAULT 'queued', "probe_method" text, "probe_host" text, "probe_path" text, "http_status" integer, "latency_ms" integer, "outcome" text, "failure_class" text, "detail" text, "worker_id" text, "requested_by" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_1c32c424bdd2e97664b46aaa4a7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "verification_receipts_completed" ON "verification_receipts" ("completed_at") `);
    await queryRunner.query(
      `CREATE INDEX "verification_receipts_installation_time" ON "verification_receipts" ("installation_id", "requested_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "credential_versions" ADD CONSTRAINT "FK_b907ef31ca03a7aa590903ac423" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "deployments" ADD CONSTRAINT "FK_a384aa8d408452075194a00748b" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "verification_receipts" ADD CONSTRAINT "FK_c664f2e678101dbb477e41baa64" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Hand-written below: the audit trail is append-only for everyone but the table owner.
    await queryRunner.query(`CREATE SEQUENCE "audit_events_seq" AS bigint`);
    await queryRunner.query(`CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_events_no_truncate" ON "audit_events"`);
    await queryRunner.query(`DROP TRIGGER "audit_events_no_update_delete" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_refuse_change"()`);
    await queryRunner.query(`DROP SEQUENCE "audit_events_seq"`);
    await queryRunner.query(`ALTER TABLE "verification_receipts" DROP CONSTRAINT "FK_c664f2e678101dbb477e41baa64"`);
    await queryRunner.query(`ALTER TABLE "deployments" DROP CONSTRAINT "FK_a384aa8d408452075194a00748b"`);
    await queryRunner.query(`ALTER TABLE "credential_versions" DROP CONSTRAINT "FK_b907ef31ca03a7aa590903ac423"`);
    await queryRunner.query(`DROP INDEX "public"."verification_receipts_installation_time"`);
    await queryRunner.query(`DROP INDEX "public"."verification_receipts_completed"`);
    await queryRunner.query(`DROP TABLE "verification_receipts"`);
    await queryRunner.query(`DROP TABLE "processed_messages"`);
    await queryRunner.query(`DROP INDEX "public"."outbox_events_pending"`);
    await queryRunner.query(`DROP TABLE "outbox_events"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."deployments_installation_time"`);
    await queryRunner.query(`DROP INDEX "public"."deployments_time"`);
    await queryRunner.query(`DROP TABLE "deployments"`);
    await queryRunner.query(`DROP INDEX "public"."credential_versions_installation_version"`);
    await queryRunner.query(`DROP INDEX "public"."credential_versions_key_id"`);
    await queryRunner.query(`DROP TABLE "credential_versions"`);
    await queryRunner.query(`DROP INDEX "public"."installations_list_order"`);
    await queryRunner.query(`DROP INDEX "public"."installations_vendor_status"`);
    await queryRunner.query(`DROP INDEX "public"."installations_external_key"`);
    await queryRunner.query(`DROP TABLE "installations"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_target"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_occurred"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_actor"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_action"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
