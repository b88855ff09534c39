import { RoutingKey } from '../events/routing-keys';
import { loadMessagingSettings } from './messaging-settings';
import { Topology } from './topology';

describe('Topology', () => {
  const topology = Topology.fromSettings(
    loadMessagingSettings({ AMQP_PREFIX: 'run1.', AMQP_RETRY_DELAYS_MS: '100,500', AMQP_DELIVERY_LIMIT: '4' }),
  );

  it('prefixes every name, and maps an outbox row to the prefixed exchange', () => {
    expect(topology.exchanges).toEqual({
      events: 'run1.installations.events',
      status: 'run1.installations.status',
      deadLetter: 'run1.installations.dead-letter',
    });
    expect(topology.exchangeFor('installations.status')).toBe('run1.installations.status');
    expect(topology.verificationRequests).toMatchObject({
      name: 'run1.verifier.verification-requests',
      bindings: [RoutingKey.VerificationRequested],
    });
  });

  it('names retry queues by delay and keeps using the longest after the last step', () => {
    const queue = topology.verificationRequests.name;
    expect([0, 1, 2, 7].map((attempt) => topology.retryQueue(queue, attempt))).toEqual([
      `${queue}.retry.100ms`,
      `${queue}.retry.500ms`,
      `${queue}.retry.500ms`,
      `${queue}.retry.500ms`,
    ]);
    expect(topology.deliveryLimit).toBe(4);
  });

  it("honours a partner's Retry-After: the first retry queue from the attempt's that waits long enough, else the longest", () => {
    const queue = topology.verificationRequests.name;
    expect(topology.retryQueue(queue, 0, 100)).toBe(`${queue}.retry.100ms`);
    expect(topology.retryQueue(queue, 0, 101)).toBe(`${queue}.retry.500ms`);
    expect(topology.retryQueue(queue, 0, 60_000)).toBe(`${queue}.retry.500ms`);
    expect(topology.retryQueue(queue, 1, 0)).toBe(`${queue}.retry.500ms`);
  });

  it('binds every routing key somewhere, so a publish is only returned when the topology is missing', () => {
    const bound = [...topology.workQueues(), topology.unconsumedEvents].flatMap((q) => q.bindings);
    expect(new Set(bound)).toEqual(new Set(Object.values(RoutingKey)));
  });

  it('refuses retry delays that are not increasing', () => {
    expect(() => loadMessagingSettings({ AMQP_RETRY_DELAYS_MS: '500,100' })).toThrow(/increasing/);
  });
});
