import type { EntityManager } from 'typeorm';
import { PreparedStatement } from '../database/prepared-statement';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isMessageId(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}

/**
 * Records, inside the caller's transaction, that `consumer` handled these deliveries, in one
 * statement: answers the deliveries this transaction claimed; the others were committed by an
 * earlier delivery (duplicates to ack and skip).
 *
 * Only the first copy of a message id in the batch is claimed. The same message can be in hand
 * twice at once: a relay that lost its "sent" mark in a database outage publishes the event
 * again, and both copies may finish together and share one batch. Claiming by id alone would
 * answer "claimed" for both and apply the message twice.
 */
export async function claimDeliveries<T>(
  manager: EntityManager,
  consumer: string,
  deliveries: readonly T[],
  messageIdOf: (delivery: T) => string,
): Promise<Set<T>> {
  const firstCopy = new Map<string, T>();
  for (const delivery of deliveries) {
    const id = messageIdOf(delivery);
    if (!firstCopy.has(id)) firstCopy.set(id, delivery);
  }
  const claimed = await claimMessages(manager, consumer, [...firstCopy.keys()]);
  return new Set([...firstCopy].filter(([id]) => claimed.has(id)).map(([, delivery]) => delivery));
}

const CLAIM_MESSAGES = new PreparedStatement(
  'inbox_claim_messages',
  `INSERT INTO processed_messages (consumer, message_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
   ON CONFLICT DO NOTHING RETURNING message_id`,
);

/** Claims distinct message ids in one statement: answers those no earlier delivery committed. */
async function claimMessages(manager: EntityManager, consumer: string, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await CLAIM_MESSAGES.run<{ message_id: string }>(manager, [consumer, messageIds]);
  return new Set(rows.map((row) => row.message_id));
}

/** The message can never be handled (invalid payload, unknown record): dead-letter it at once. */
export class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
}
