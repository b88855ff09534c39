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
  const firstCopy = firstCopies(deliveries, messageIdOf);
  const claimed = await claimMessages(manager, consumer, [...firstCopy.keys()]);
  return claimedDeliveries(firstCopy, claimed);
}

/** The first delivery of each message id, by id, in delivery order: the only copies to claim. */
export function firstCopies<T>(deliveries: readonly T[], messageIdOf: (delivery: T) => string): Map<string, T> {
  const firstCopy = new Map<string, T>();
  for (const delivery of deliveries) {
    const id = messageIdOf(delivery);
    if (!firstCopy.has(id)) firstCopy.set(id, delivery);
  }
  return firstCopy;
}

/** The deliveries whose ids were claimed, of the first copies. */
export function claimedDeliveries<T>(firstCopy: Map<string, T>, claimed: ReadonlySet<string>): Set<T> {
  return new Set([...firstCopy].filter(([id]) => claimed.has(id)).map(([, delivery]) => delivery));
}

/**
 * The claim as SQL, for consumers that send it as a WITH clause of their first statement (one
 * round trip instead of two): $1 the consumer, $2 the distinct message ids (firstCopies);
 * returns the claimed ids as `message_id`.
 */
export const CLAIM_MESSAGES_SQL = `INSERT INTO processed_messages (consumer, message_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
   ON CONFLICT DO NOTHING RETURNING message_id`;

const CLAIM_MESSAGES = new PreparedStatement('inbox_claim_messages', CLAIM_MESSAGES_SQL);

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
