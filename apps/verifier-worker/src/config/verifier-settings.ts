import { plainToInstance, Transform } from 'class-transformer';
import { hostname } from 'node:os';
import { IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';
import { ConfigurationError } from '@app/common';

const toInt = ({ value }: { value: unknown }) => (value === undefined ? value : Number(value));

/** The worker's own settings (shared ones live in EnvironmentVariables and MessagingSettings). */
export class VerifierSettings {
  /** Prefetch = the most partner calls one worker makes at once (RELIABILITY.md: bound them). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  VERIFIER_CONCURRENCY = 10;

  /** Names this worker on receipts and audit rows. */
  @IsString()
  VERIFIER_WORKER_ID = `verifier-${hostname()}-${process.pid}`;

  /** Caps the template's per-environment timeout (tests; operators who want faster failure). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  VERIFIER_PARTNER_TIMEOUT_MS?: number;

  /** Live installations are re-verified this long after their last check (default daily). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  VERIFIER_REVERIFY_INTERVAL_MS = 24 * 3600 * 1000;

  /** How often a replica looks for due installations; 0 turns scheduling off for this replica. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  VERIFIER_SCHEDULER_TICK_MS = 60_000;
}

export function loadVerifierSettings(env: NodeJS.ProcessEnv = process.env): VerifierSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const settings = plainToInstance(VerifierSettings, present, { exposeDefaultValues: true });
  const problems = validateSync(settings).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}
