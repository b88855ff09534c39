// The only entry point of the shared library: apps import from '@app/common'.
export * from './config/app-config';
export * from './crypto/credential-cipher';
export * from './database/data-source-options';
export * from './database/database-bootstrap';
export * from './entities';
export * from './audit/audit-chain';
export * from './audit/audit-entry';
export * from './audit/audit-writer';
export * from './audit/canonical-json';
export * from './errors/domain-error';
export * from './events/event-payloads';
export * from './events/parse-event';
export * from './events/routing-keys';
export * from './write-path/unit-of-work';
export * from './vendors';
export * from './audit/field-changes';
