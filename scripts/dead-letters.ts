import { connect } from 'amqplib';
import { DeadLetterQueue, loadEnvironment, loadMessagingSettings, Topology, type DeadLetterSummary } from '@app/common';

/**
 * `npm run dlq -- list [--limit N]`
 * `npm run dlq -- replay (--all | --id MESSAGE_ID[,ID…] | --reason delivery_limit|rejected) [--limit N]`
 * Lists the dead-letter queue, or sends chosen messages back to the queue that gave up on them.
 * Messages not replayed stay in the dead-letter queue.
 */
function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

function print(items: DeadLetterSummary[]): void {
  for (const item of items) process.stdout.write(`${JSON.stringify(item)}\n`);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const limit = Number(argument(args, 'limit') ?? 1000);
  const topology = Topology.fromSettings(loadMessagingSettings());
  const connection = await connect(loadEnvironment().RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    await topology.declare(channel);
    const queue = new DeadLetterQueue(channel, topology);
    if (command === 'list') {
      const items = await queue.list(limit);
      print(items);
      process.stderr.write(`${items.length} dead letter(s) in ${topology.deadLetters}\n`);
      return;
    }
    if (command === 'replay') {
      const ids = argument(args, 'id')?.split(',');
      const reason = argument(args, 'reason');
      if (!ids && !reason && !args.includes('--all')) throw new Error('replay needs --all, --id or --reason');
      const replayed = await queue.replay(
        (d) => (!ids || (d.messageId !== null && ids.includes(d.messageId))) && (!reason || d.reason === reason),
        limit,
      );
      print(replayed);
      process.stderr.write(`${replayed.length} message(s) replayed\n`);
      return;
    }
    throw new Error('usage: npm run dlq -- list|replay [options]');
  } finally {
    // Closing gives back every message that was taken and not acked.
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
