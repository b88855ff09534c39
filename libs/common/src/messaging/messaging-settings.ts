import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { ConfigurationError } from '../config/app-config';

const toInt = ({ value }: { value: unknown }) => (value === undefined ? value : Number(value));
const toBool = ({ value }: { value: unknown }) => (value === undefined ? value : value === true || value === 'true' || value === '1');

/**
 * Broker settings both apps share. Kept apart from EnvironmentVariables so the topology (whose
 * queue arguments must match on every declaration) is described in one place.
 */
export class MessagingSettings {
  /** Prepended to every exchange and queue name, so test runs (and tenants) never share messages. */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]*$/)
  AMQP_PREFIX = '';

  /**
   * Quorum `x-delivery-limit`: a message that keeps crashing its handler is dead-lettered after
   * limit + 1 deliveries. Changing it needs a broker policy or new queues (arguments are fixed).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  AMQP_DELIVERY_LIMIT = 5;

  /** Delays of the retry queues, one per attempt (ms, comma separated, increasing). */
  @Matches(/^\d+(,\d+)*$/)
  AMQP_RETRY_DELAYS_MS = '5000,30000,120000';

  /** Start the outbox relay and the consumers with the app; tests of pure HTTP may turn it off. */
  @Transform(toBool)
  @IsBoolean()
  MESSAGING_ENABLED = true;

  retryDelaysMs(): number[] {
    return this.AMQP_RETRY_DELAYS_MS.split(',').map(Number);
  }
}

export function loadMessagingSettings(env: NodeJS.ProcessEnv = process.env): MessagingSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const settings = plainToInstance(MessagingSettings, present, { exposeDefaultValues: true, excludeExtraneousValues: false });
  const problems = validateSync(settings).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));
  const delays = settings.AMQP_RETRY_DELAYS_MS.split(',').map(Number);
  if (delays.some((d, i) => d <= 0 || (i > 0 && d < delays[i - 1])))
    problems.push('AMQP_RETRY_DELAYS_MS: delays must be positive and increasing');
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}
