import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { PAYLOAD_CLASS, type EventPayloads } from './event-payloads';
import { RoutingKey } from './routing-keys';

export function isRoutingKey(value: string): value is RoutingKey {
  return (Object.values(RoutingKey) as string[]).includes(value);
}

/** Validates an incoming message body against its routing key's payload class. */
export function parseEvent<K extends RoutingKey>(routingKey: K, body: unknown): EventPayloads[K] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw DomainError.validation([{ path: 'payload', message: 'must be a JSON object' }], `invalid ${routingKey} payload`);
  }
  const payload = plainToInstance(PAYLOAD_CLASS[routingKey] as new () => object, body) as EventPayloads[K];
  const errors = validateSync(payload as object, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const details = errors.flatMap((e) =>
      Object.values(e.constraints ?? { nested: 'invalid' }).map((message) => ({ path: e.property, message })),
    );
    throw DomainError.validation(details, `invalid ${routingKey} payload`);
  }
  return payload;
}
