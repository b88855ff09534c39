import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, validateSync } from 'class-validator';
import { AUDIT_MAX_CHAINS, DEFAULT_AUDIT_CHAIN_COUNT } from '../audit/audit-chain';

/** Development defaults: they serve a local machine and are refused in production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
/** 32 zero-ish bytes would be obvious; this is a fixed, public development key. Never use it in production. */
export const DEV_CREDENTIALS_KEYS = 'dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=';
export const DEV_FINGERPRINT_KEY = 'dev-only-fingerprint-key';
/** `kid:base64(32-byte Ed25519 seed)`; a fixed, public development key for audit checkpoints. */
export const DEV_AUDIT_CHECKPOINT_KEY = 'dev1:ZGV2LW9ubHktYXVkaXQtY2hlY2twb2ludC1rZXkhISE=';

/**
 * Environment variables as a validated class: boot fails with a message naming every bad variable.
 * See README "Configuration" for the table of these variables.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsString()
  DATABASE_URL = 'postgres://installation_records_app@127.0.0.1:5432/installation_records';

  @IsString()
  MIGRATION_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/installation_records';

  @IsString()
  RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] })
  JWT_JWKS_URI?: string;

  @IsString()
  JWT_ISSUER = 'installation-records-dev';

  @IsString()
  JWT_AUDIENCE = 'installation-records';

  @IsString()
  CREDENTIALS_KEYS = DEV_CREDENTIALS_KEYS;

  @IsString()
  CREDENTIALS_ACTIVE_KEY_ID = 'dev1';

  @IsString()
  FINGERPRINT_KEY = DEV_FINGERPRINT_KEY;

  /** Extra hosts (host or host:port, comma separated) partner calls may reach, e.g. the sandbox. */
  @IsString()
  PARTNER_HOST_ALLOWLIST = '';

  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1)
  @Max(65535)
  PARTNER_SANDBOX_PORT = 4010;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Maximum JSON body accepted by the API, in bytes; larger bodies get 413. */
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 256 * 1024;

  /**
   * Signs audit checkpoints: `kid:base64(32-byte Ed25519 seed)`. Deliberately not in the database,
   * so whoever can rewrite the audit table cannot re-sign its head.
   */
  @IsString()
  AUDIT_CHECKPOINT_KEY = DEV_AUDIT_CHECKPOINT_KEY;

  /** How often records-api signs the head of every audit chain; 0 turns the periodic writer off. */
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(0)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;

  /**
   * How many hash chains the audit trail is spread over (audit-writer.ts): concurrent writers take
   * different chains and commit in parallel. Lowering it is safe (the chains past it keep their
   * rows, stop growing and are still verified); raising it starts the new chains at genesis.
   */
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(1)
  @Max(AUDIT_MAX_CHAINS)
  AUDIT_CHAIN_COUNT = DEFAULT_AUDIT_CHAIN_COUNT;

  /** How often buffered access events (reads, denials) are appended to the trail. */
  @Transform(({ value }) => (value === undefined ? value : Number(value)))
  @IsInt()
  @Min(100)
  AUDIT_ACCESS_FLUSH_MS = 2_000;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Validates the environment; throws ConfigurationError listing every problem at once. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentVariables {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const problems = validateSync(config, { skipMissingProperties: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
  if (!config.JWT_SECRET && !config.JWT_JWKS_URI) {
    if (config.NODE_ENV === 'production') problems.push('JWT_SECRET or JWT_JWKS_URI: one of them is required in production');
    else config.JWT_SECRET = DEV_JWT_SECRET;
  }
  if (config.JWT_SECRET && config.JWT_SECRET.length < 32) {
    problems.push('JWT_SECRET: must be at least 32 characters');
  }
  if (config.NODE_ENV === 'production') {
    if (config.JWT_SECRET === DEV_JWT_SECRET) problems.push('JWT_SECRET: the development secret is refused in production');
    if (config.CREDENTIALS_KEYS === DEV_CREDENTIALS_KEYS) problems.push('CREDENTIALS_KEYS: the development key is refused in production');
    if (config.FINGERPRINT_KEY === DEV_FINGERPRINT_KEY) problems.push('FINGERPRINT_KEY: the development key is refused in production');
    if (config.AUDIT_CHECKPOINT_KEY === DEV_AUDIT_CHECKPOINT_KEY)
      problems.push('AUDIT_CHECKPOINT_KEY: the development key is refused in production');
  }
  if (typeof config.AUDIT_CHECKPOINT_KEY === 'string' && !/^[A-Za-z0-9._-]{1,32}:[A-Za-z0-9+/]{43}=$/.test(config.AUDIT_CHECKPOINT_KEY)) {
    problems.push('AUDIT_CHECKPOINT_KEY: must be kid:base64 of a 32-byte Ed25519 seed');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}
