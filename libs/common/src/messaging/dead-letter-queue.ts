import type { ConfirmChannel, GetMessage } from 'amqplib';
import type { Topology } from './topology';

/** What an operator sees of one dead letter. Event payloads carry no secrets (fingerprints only). */
export interface DeadLetterSummary {
  messageId: string | null;
  routingKey: string;
  /** The queue that gave up on it; replay sends it back there. */
  queue: string | null;
  reason: string | null;
  deaths: number;
  publishedAt: string | null;
  body: string;
}

interface XDeathEntry {
  reason?: string;
  queue?: string;
  count?: number;
}

function summarize(message: GetMessage): DeadLetterSummary {
  const deaths = (message.properties.headers?.['x-death'] as XDeathEntry[] | undefined) ?? [];
  const last = deaths[0];
  const ts = message.properties.timestamp as number | undefined;
  return {
    messageId: (message.properties.messageId as string | undefined) ?? null,
    routingKey: (message.properties.type as string | undefined) ?? message.fields.routingKey,
    queue: last?.queue ?? null,
    reason: last?.reason ?? null,
    deaths: deaths.reduce((n, d) => n + (d.count ?? 0), 0),
    publishedAt: ts ? new Date(ts * 1000).toISOString() : null,
    body: message.content.toString('utf8').slice(0, 2000),
  };
}

/**
 * Lists and replays the dead-letter queue. Listing takes every message without acking and gives
 * them back by closing the channel, so a listing never loses one. Replay republishes (with
 * confirms) to the queue that dead-lettered the message, without its x-death history, then acks.
 */
export class DeadLetterQueue {
  constructor(
    private readonly channel: ConfirmChannel,
    private readonly topology: Topology,
  ) {}

  async list(limit = 1000): Promise<DeadLetterSummary[]> {
    return (await this.take(limit)).map(summarize);
  }

  /** Replays the messages `select` picks (all by default); returns what was replayed. */
  async replay(select: (summary: DeadLetterSummary) => boolean = () => true, limit = 1000): Promise<DeadLetterSummary[]> {
    const replayed: DeadLetterSummary[] = [];
    for (const message of await this.take(limit)) {
      const summary = summarize(message);
      if (!summary.queue || !select(summary)) continue;
      const {
        ['x-death']: _history,
        ['x-first-death-exchange']: _e,
        ['x-first-death-queue']: _q,
        ['x-first-death-reason']: _r,
        ...headers
      } = (message.properties.headers ?? {}) as Record<string, unknown>;
      await new Promise<void>((resolve, reject) =>
        this.channel.sendToQueue(
          summary.queue as string,
          message.content,
          {
            persistent: true,
            messageId: summary.messageId ?? undefined,
            type: summary.routingKey,
            contentType: message.properties.contentType as string | undefined,
            timestamp: message.properties.timestamp as number | undefined,
            // A replayed message starts its retries over.
            headers: { ...headers, 'x-retry-attempt': 0, 'x-replayed-from': this.topology.deadLetters },
          },
          (error: unknown) => (error ? reject(new Error(`replay of ${summary.messageId ?? '?'} nacked`)) : resolve()),
        ),
      );
      this.channel.ack(message);
      replayed.push(summary);
    }
    return replayed;
  }

  private async take(limit: number): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    while (messages.length < limit) {
      const message = await this.channel.get(this.topology.deadLetters, { noAck: false });
      if (message === false) break;
      messages.push(message);
    }
    return messages;
  }
}
