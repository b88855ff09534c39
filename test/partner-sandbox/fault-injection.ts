import type { ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { send } from './http-io';
import { DEFAULT_FAULT_LOCATION, DEFAULT_HUGE_BODY_BYTES, FaultPlan, SandboxRoute } from './sandbox-config';

/** The wildcard fault key: applies to every caller that has no fault of its own. */
export const ANY_CREDENTIAL = '*';

/** Picks the fault for a call and remembers how many calls each `failFirst` plan has consumed. */
export class FaultBook {
  private readonly used = new Map<string, number>();

  take(faults: Record<string, FaultPlan>, keys: readonly string[], route: SandboxRoute): FaultPlan | undefined {
    for (const key of [...keys, ANY_CREDENTIAL]) {
      const plan = faults[key];
      if (plan === undefined || (plan.routes !== undefined && !plan.routes.includes(route))) continue;
      const used = this.used.get(key) ?? 0;
      if (plan.failFirst !== undefined && used >= plan.failFirst) return undefined;
      this.used.set(key, used + 1);
      return plan;
    }
    return undefined;
  }

  clear(): void {
    this.used.clear();
  }
}

function* padding(bytes: number): Generator<string> {
  const chunk = 'x'.repeat(64 * 1024);
  yield '{"padding":"';
  for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk;
  yield '"}';
}

/** Answers with the injected failure. `hang` answers nothing: the socket stays open until closed. */
export function answerWithFault(res: ServerResponse, plan: FaultPlan): void {
  switch (plan.kind) {
    case undefined:
      return;
    case 'hang':
      return;
    case 'status': {
      const status = plan.status ?? 503;
      const retry: Record<string, string> = status === 429 ? { 'retry-after': String(plan.retryAfterSeconds ?? 30) } : {};
      const body = JSON.stringify({ error: 'sandbox_injected_fault', status });
      send(res, status, body, { 'content-type': 'application/json', ...retry });
      return;
    }
    case 'malformed_json':
      send(res, 200, '{"access_token": "0f3a", "token_type": "Bearer", ', { 'content-type': 'application/json' });
      return;
    case 'html':
      // What a captive portal or a misrouted load balancer serves: 200 with a web page.
      send(res, 200, '<!DOCTYPE html><html><body><h1>Scheduled maintenance</h1></body></html>', {
        'content-type': 'text/html; charset=utf-8',
      });
      return;
    case 'huge_body':
      // Streamed without Content-Length so the client's running byte cap is what stops it.
      res.writeHead(200, { 'content-type': 'application/json' });
      pipeline(Readable.from(padding(plan.bodyBytes ?? DEFAULT_HUGE_BODY_BYTES)), res, () => undefined);
      return;
    case 'redirect':
      send(res, 302, '', { location: plan.location ?? DEFAULT_FAULT_LOCATION });
      return;
  }
}
