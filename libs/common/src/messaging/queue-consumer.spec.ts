import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection, ConnectionSetup } from './amqp-connection';
import { SILENT_LOGGER } from './messaging-logger';
import { loadMessagingSettings } from './messaging-settings';
import { QueueConsumer, type DeliveryHandler } from './queue-consumer';
import { Topology } from './topology';

/** A channel that records how each delivery was settled. */
function fakeChannel() {
  let deliver: (message: ConsumeMessage | null) => void = () => undefined;
  const channel = {
    on: jest.fn(),
    prefetch: jest.fn(async () => undefined),
    consume: jest.fn(async (_queue: string, onMessage: typeof deliver) => {
      deliver = onMessage;
      return { consumerTag: 'ctag' };
    }),
    ack: jest.fn(),
    nack: jest.fn(),
    reject: jest.fn(),
    cancel: jest.fn(async () => undefined),
    close: jest.fn(async () => undefined),
  };
  return { channel, deliver: (message: ConsumeMessage) => deliver(message) };
}

const message = {
  content: Buffer.from('{}'),
  fields: { routingKey: 'k', redelivered: false },
  properties: { messageId: 'm1', headers: {} },
};
const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const settled = (fn: jest.Mock) => new Promise<void>((resolve) => fn.mockImplementation(() => resolve()));

async function consumerWith(handler: DeliveryHandler) {
  const { channel, deliver } = fakeChannel();
  const topology = Topology.fromSettings(loadMessagingSettings({ AMQP_PREFIX: 't.' }));
  jest.spyOn(topology, 'declare').mockResolvedValue(undefined);
  const model = { createConfirmChannel: async () => channel as unknown as ConfirmChannel } as unknown as ChannelModel;
  const connection = {
    onConnected: async (setup: ConnectionSetup) => setup(model),
    removeSetup: () => undefined,
  } as unknown as AmqpConnection;
  const isUnavailable = (error: unknown) => error instanceof Error && error.message.includes('ECONNREFUSED');
  const consumer = new QueueConsumer(
    connection,
    topology,
    topology.verificationRequests,
    handler,
    { prefetch: 1, requeueDelayMs: 1, isUnavailable },
    SILENT_LOGGER,
  );
  await consumer.start();
  return { consumer, channel, deliver: () => deliver(message as unknown as ConsumeMessage) };
}

describe('QueueConsumer', () => {
  it('keeps a delivery through a database outage and acks it once handled, without requeueing it', async () => {
    const handler = jest.fn<ReturnType<DeliveryHandler>, Parameters<DeliveryHandler>>();
    handler.mockRejectedValueOnce(outage()).mockRejectedValueOnce(outage()).mockResolvedValue({ kind: 'ack' });
    const { channel, deliver } = await consumerWith(handler);
    const acked = settled(channel.ack);
    deliver();
    await acked;
    expect(handler).toHaveBeenCalledTimes(3);
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('requeues (toward the delivery limit) after any other error', async () => {
    const { channel, deliver } = await consumerWith(async () => {
      throw new Error('receipt not found');
    });
    const nacked = settled(channel.nack);
    deliver();
    await nacked;
    expect(channel.nack).toHaveBeenCalledWith(message, false, true);
    expect(channel.ack).not.toHaveBeenCalled();
  });

  it('lets a kept delivery go back to the queue when the consumer stops', async () => {
    const { consumer, channel, deliver } = await consumerWith(async () => {
      throw outage();
    });
    deliver();
    await consumer.stop();
    expect(channel.nack).toHaveBeenCalledWith(message, false, true);
    expect(channel.ack).not.toHaveBeenCalled();
  });
});
