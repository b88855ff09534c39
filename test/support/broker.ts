import { execFile } from 'node:child_process';
import { connect, type ConfirmChannel, type GetMessage } from 'amqplib';
import { loadEnvironment, loadMessagingSettings, Topology } from '../../libs/common/src';

/** The topology the current environment (AMQP_PREFIX …) describes. */
export function currentTopology(): Topology {
  return Topology.fromSettings(loadMessagingSettings());
}

/** Deletes every queue and exchange under the topology's prefix; tolerates a missing broker. */
export async function removeTopology(topology: Topology): Promise<void> {
  if (!topology.prefix) return; // never delete the shared, unprefixed topology
  const connection = await connect(loadEnvironment().RABBITMQ_URL).catch(() => null);
  if (!connection) return;
  try {
    const channel = await connection.createChannel();
    await topology.remove(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** A test's own confirm channel, to publish poison or duplicate messages and read the DLQ. */
export async function openTestChannel(): Promise<{ channel: ConfirmChannel; close: () => Promise<void> }> {
  const connection = await connect(loadEnvironment().RABBITMQ_URL);
  const channel = await connection.createConfirmChannel();
  return { channel, close: () => connection.close() };
}

export async function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: unknown,
  messageId: string,
  type = routingKey,
): Promise<void> {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  await new Promise<void>((resolve, reject) =>
    channel.publish(
      exchange,
      routingKey,
      content,
      { persistent: true, mandatory: true, messageId, type, contentType: 'application/json' },
      (error: unknown) => (error ? reject(new Error('nacked')) : resolve()),
    ),
  );
}

/** Takes every message now in a queue (acking them). */
export async function drainQueue(channel: ConfirmChannel, queue: string): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) return messages;
    messages.push(message);
  }
}

/** Whether rabbitmqctl can manage the local broker (it needs the node's Erlang cookie). */
export async function canManageBroker(): Promise<boolean> {
  return rabbitmqctl(['list_connections', 'pid']).then(
    () => true,
    () => false,
  );
}

/**
 * Makes the broker drop every connection whose name contains `marker` (our prefix), as a broker
 * restart would, without disturbing anyone else's connections on the shared broker.
 */
export async function dropBrokerConnections(marker: string): Promise<number> {
  // Tab-separated lines: `<rabbit@host.N.M.0>\t[{...client properties...}]`; the pid as printed is what close_connection takes.
  const out = await rabbitmqctl(['list_connections', 'pid', 'client_properties']);
  const pids = out
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.split('\t')[0].trim());
  for (const pid of pids) await rabbitmqctl(['close_connection', pid, 'test: simulated broker restart']);
  return pids.length;
}

function rabbitmqctl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('rabbitmqctl', ['-q', ...args], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}
