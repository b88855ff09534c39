import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditClaimChainFunction1796421000000 implements MigrationInterface {
  name = 'AuditClaimChainFunction1796421000000';

  // The audit writer's chain claim as one prepared call (audit-writer.ts): lock a free chain (or
  // wait for `wait_for`), then read that chain's head and draw the seqs. A VOLATILE function takes
  // a fresh snapshot for each statement, so the head read sees the previous lock holder's commit,
  // which a single statement (whose snapshot predates the lock it takes) would not. It runs with
  // the caller's rights: the application role may already lock, read audit_events and draw seqs.
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION "audit_claim_chain"(candidates int[], wait_for int, row_count int)
      RETURNS TABLE (chain int, head text, seqs text[]) LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        candidate int;
        claimed int := -1;
      BEGIN
        FOREACH candidate IN ARRAY candidates LOOP
          IF pg_try_advisory_xact_lock(4242001, candidate) THEN
            claimed := candidate;
            EXIT;
          END IF;
        END LOOP;
        IF claimed < 0 THEN
          PERFORM pg_advisory_xact_lock(4242001, wait_for);
          claimed := wait_for;
        END IF;
        RETURN QUERY SELECT claimed,
          (SELECT e.hash FROM audit_events e WHERE e.chain = claimed ORDER BY e.seq DESC LIMIT 1),
          ARRAY(SELECT nextval('audit_events_seq')::text FROM generate_series(1, row_count));
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "audit_claim_chain"(int[], int, int)`);
  }
}
