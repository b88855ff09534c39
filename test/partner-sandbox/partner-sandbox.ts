import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallFilter, CallLedger, SandboxCallCounts } from './call-ledger';
import { answerWithFault, FaultBook } from './fault-injection';
import { readBody, RequestBodyTooLargeError, sendReply } from './http-io';
import { ParkWhizProtocol } from './parkwhiz-protocol';
import { ADMIN_PREFIX, answerAdmin } from './sandbox-admin';
import { cloneConfig, emptySandboxConfig, FaultPlan, PartnerSandboxConfig, SandboxRoute } from './sandbox-config';
import { RouteMatch, SandboxCall, UNKNOWN_CALLER } from './sandbox-route';
import { spotheroKeyLabel, SpotHeroProtocol } from './spothero-protocol';

/** One line per partner call; carries labels (client_id, key label), never secrets or bodies. */
export interface SandboxLogEntry {
  event: 'partner_call' | 'admin_call';
  method: string;
  path: string;
  route?: SandboxRoute;
  credential?: string;
  fault?: string;
  status: number | 'no_response';
  ms: number;
}

export interface PartnerSandboxOptions extends Partial<PartnerSandboxConfig> {
  log?: (entry: SandboxLogEntry) => void;
}

/** Stands in for the ParkWhiz and SpotHero hosts in tests and demos (DESIGN §1, §5). */
export class PartnerSandbox {
  readonly server: Server;
  private readonly initial: PartnerSandboxConfig;
  private config: PartnerSandboxConfig;
  private readonly ledger = new CallLedger();
  private readonly faultBook = new FaultBook();
  private readonly parkwhiz = new ParkWhizProtocol(() => this.config);
  private readonly spothero = new SpotHeroProtocol(() => this.config);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: (entry: SandboxLogEntry) => void;

  constructor(options: PartnerSandboxOptions = {}) {
    const { log, ...config } = options;
    this.initial = cloneConfig({ ...emptySandboxConfig(), ...config });
    this.config = cloneConfig(this.initial);
    this.log = log ?? (() => undefined);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Closes even with hanging requests open: those sockets are destroyed. */
  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Each top-level field present replaces the current one; `faults` resets failFirst counters. */
  configure(patch: Partial<PartnerSandboxConfig>): void {
    this.config = cloneConfig({ ...this.config, ...patch });
    if (patch.faults !== undefined) this.faultBook.clear();
  }

  setFault(credential: string, plan: FaultPlan): void {
    this.configure({ faults: { ...this.config.faults, [credential]: plan } });
  }

  clearFaults(): void {
    this.configure({ faults: {} });
  }

  calls(): SandboxCallCounts {
    return this.ledger.snapshot();
  }

  callCount(filter?: CallFilter): number {
    return this.ledger.count(filter);
  }

  /** Back to the constructor's config: no faults, no calls, no issued tokens. */
  reset(): void {
    this.config = cloneConfig(this.initial);
    this.faultBook.clear();
    this.ledger.clear();
    this.parkwhiz.forgetTokens();
  }

  /** What is configured, without secrets or fault keys (those may be SpotHero keys). */
  describe(): Record<string, unknown> {
    return {
      parkwhizClients: this.config.parkwhizClients.map((c) => ({ clientId: c.clientId, grantedScope: c.grantedScope })),
      spotheroKeys: this.config.spotheroKeys.map(spotheroKeyLabel),
      locationIds: this.config.locationIds,
      facilityIds: this.config.facilityIds,
      faultCount: Object.keys(this.config.faults).length,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const entry: Omit<SandboxLogEntry, 'status' | 'ms'> = { event: 'partner_call', method: req.method ?? 'GET', path: url.pathname };
    res.once('close', () => this.log({ ...entry, status: res.headersSent ? res.statusCode : 'no_response', ms: Date.now() - started }));
    try {
      const call: SandboxCall = { method: entry.method, path: url.pathname, query: url.searchParams, req, body: await readBody(req) };
      if (call.path.startsWith(ADMIN_PREFIX)) {
        entry.event = 'admin_call';
        return sendReply(res, answerAdmin(call, this));
      }
      const match = this.parkwhiz.match(call) ?? this.spothero.match(call) ?? this.unmatched();
      Object.assign(entry, { route: match.route, credential: match.caller.label });
      this.ledger.record(match.route, match.caller.label);
      const plan = this.faultBook.take(this.config.faults, match.caller.faultKeys, match.route);
      if (plan?.latencyMs) await this.sleep(plan.latencyMs);
      if (plan?.kind !== undefined) {
        entry.fault = plan.kind;
        return answerWithFault(res, plan);
      }
      sendReply(res, match.answer());
    } catch (error) {
      const tooLarge = error instanceof RequestBodyTooLargeError;
      sendReply(res, { status: tooLarge ? 413 : 500, json: { error: tooLarge ? 'payload_too_large' : 'sandbox_error' } });
    }
  }

  private unmatched(): RouteMatch {
    return { route: 'unmatched', caller: UNKNOWN_CALLER, answer: () => ({ status: 404, json: { error: 'not_found' } }) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

export interface RunningPartnerSandbox {
  /** e.g. `http://127.0.0.1:41234`; ParkWhiz base is `${url}/v4`, SpotHero base `${url}/api`. */
  url: string;
  port: number;
  server: PartnerSandbox;
  close(): Promise<void>;
}

/** Starts a sandbox for a test; port 0 (the default) picks a free ephemeral port. */
export async function startPartnerSandbox(
  options: PartnerSandboxOptions & { port?: number; host?: string } = {},
): Promise<RunningPartnerSandbox> {
  const { port: requested, host = '127.0.0.1', ...sandboxOptions } = options;
  const server = new PartnerSandbox(sandboxOptions);
  const port = await server.listen(requested ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, server, close: () => server.close() };
}
