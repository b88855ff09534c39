const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isMessageId(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}

/**
 * The first delivery of each message id, by id, in delivery order: the only copies a batch claims.
 * The same message can be in hand twice at once: a relay that lost its "sent" mark in a database
 * outage publishes the event again, and both copies may finish together and share one batch.
 * Claiming by id alone would answer "claimed" for both and apply the message twice.
 */
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
 * Records, inside the caller's transaction, that a consumer handled these messages. Both consumers
 * send it as a WITH clause of their batch's first statement (one round trip instead of two): $1
 * the consumer, $2 the distinct message ids (firstCopies). It returns, as `message_id`, the ids
 * this transaction claimed; the others were committed by an earlier delivery (duplicates to ack
 * and skip).
 */
export const CLAIM_MESSAGES_SQL = `INSERT INTO processed_messages (consumer, message_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
   ON CONFLICT DO NOTHING RETURNING message_id`;
