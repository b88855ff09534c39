import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { DEV_JWT_SECRET, loadEnvironment } from '../../../libs/common/src';
import { SANDBOX_CLIENT, SANDBOX_LOCATION } from './fault-pipeline';

export interface Acknowledged {
  id: string;
  startedAt: number;
  /** When the 201 arrived: the API acknowledged a committed write (R8). */
  ackedAt: number;
}

export interface Refused {
  status: number | 'error';
  startedAt: number;
  endedAt: number;
}

function engineerToken(): string {
  const env = loadEnvironment();
  return jwt.sign({ roles: ['engineer'], name: 'fault-tests' }, env.JWT_SECRET ?? DEV_JWT_SECRET, {
    algorithm: 'HS256',
    subject: 'fault-tests',
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    expiresIn: 3600,
  });
}

/**
 * Creates ParkWhiz installations with credentials through the API (each 201 = an installation, a
 * pending credential, a queued receipt and a verification.requested outbox row, one transaction)
 * on `concurrency` lanes until `target` were acknowledged. Refused or failed requests (while the
 * database is down) are recorded and retried with a new property after a short pause.
 */
export class CreationLoad {
  readonly acknowledged: Acknowledged[] = [];
  readonly refused: Refused[] = [];
  readonly finished: Promise<void>;
  private inFlight = 0;
  private stopped = false;
  private readonly token = engineerToken();

  constructor(
    private readonly apiUrl: string,
    private readonly sandboxUrl: string,
    private readonly target: number,
    concurrency: number,
    timeoutMs: number,
  ) {
    const deadline = Date.now() + timeoutMs;
    this.finished = Promise.all(Array.from({ length: concurrency }, () => this.lane(deadline))).then(() => undefined);
  }

  get count(): number {
    return this.acknowledged.length;
  }

  stop(): void {
    this.stopped = true;
  }

  private async lane(deadline: number): Promise<void> {
    while (!this.stopped && Date.now() < deadline && this.acknowledged.length + this.inFlight < this.target) {
      this.inFlight += 1;
      const startedAt = Date.now();
      let ok = false;
      try {
        const res = await fetch(`${this.apiUrl}/v1/installations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(this.body()),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as { id?: string };
        if (res.status === 201 && body.id) {
          this.acknowledged.push({ id: body.id, startedAt, ackedAt: Date.now() });
          ok = true;
        } else {
          this.refused.push({ status: res.status, startedAt, endedAt: Date.now() });
        }
      } catch {
        this.refused.push({ status: 'error', startedAt, endedAt: Date.now() });
      } finally {
        this.inFlight -= 1;
      }
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private body(): Record<string, unknown> {
    return {
      vendor: 'parkwhiz',
      environment: 'sandbox',
      propertyId: `fault-${randomUUID()}`,
      propertyName: 'Fault-test garage',
      config: { clientId: SANDBOX_CLIENT.clientId, scope: 'partner', locationIds: [SANDBOX_LOCATION] },
      endpoints: { baseUrl: `${this.sandboxUrl}/v4` },
      credentials: { clientSecret: SANDBOX_CLIENT.clientSecret },
      versions: { pms: '7.4.2', adapter: '2.1.0' },
      ownerTeam: 'parking-integrations',
    };
  }
}
