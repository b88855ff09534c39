import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The first answer to a create carrying an Idempotency-Key; a retry gets it back. */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'actor_id', type: 'text' })
  actorId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  route: string;

  /** SHA-256 of the request body: the same key with another body is a 422, not a replay. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @Column({ name: 'response_status', type: 'int' })
  responseStatus: number;

  @Column({ name: 'resource_id', type: 'text' })
  resourceId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
