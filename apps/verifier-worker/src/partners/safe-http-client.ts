import { Agent, request } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { AddressLookup, HostAllowList, systemAddressLookup } from './address-policy';
import { guardedConnector } from './guarded-connector';
import { OutboundRefusedError, OutboundTarget, ResponseTooLargeError } from './outbound-errors';
import { readCappedBody, translateOutboundError } from './outbound-transport';

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface SafeHttpClientOptions {
  /** PARTNER_HOST_ALLOWLIST: allowed for every call and exempt from the address check (sandboxes). */
  extraAllowedHosts?: readonly string[];
  maxResponseBytes?: number;
  lookup?: AddressLookup;
  connectTimeoutMs?: number;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** The vendor template's hosts; the extra allow-list is added to these. */
  allowedHosts: readonly string[];
  /** Hard limit for the whole exchange: DNS, connect, headers and body. */
  timeoutMs: number;
}

export type ResponseBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid_json'; contentType: string }
  | { kind: 'not_json'; contentType: string }
  | { kind: 'empty' };

export interface OutboundResponse {
  target: OutboundTarget;
  status: number;
  headers: Record<string, string>;
  body: ResponseBody;
  latencyMs: number;
}

/** The only way the verifier reaches a partner: allow-listed hosts, public addresses, no redirects. */
export class SafeHttpClient {
  private readonly extra: HostAllowList;
  private readonly agent: Agent;
  private readonly maxResponseBytes: number;

  constructor(options: SafeHttpClientOptions = {}) {
    this.extra = new HostAllowList(options.extraAllowedHosts ?? []);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const connect = guardedConnector(this.extra, options.lookup ?? systemAddressLookup, options.connectTimeoutMs ?? 10_000);
    this.agent = new Agent({ connect, maxRedirections: 0 });
  }

  async request(req: OutboundRequest): Promise<OutboundResponse> {
    const url = new URL(req.url);
    const target: OutboundTarget = { method: req.method, host: url.host, path: url.pathname };
    this.assertDestinationAllowed(url, req.allowedHosts, target);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), req.timeoutMs);
    const started = performance.now();
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const headers = flattenHeaders(res.headers);
      if (res.statusCode >= 300 && res.statusCode < 400) {
        await res.body.dump();
        const where = redirectHost(headers.location, url);
        throw new OutboundRefusedError('redirect_refused', target, `redirect to ${where} not followed`, res.statusCode);
      }
      const declared = Number(headers['content-length'] ?? '0');
      if (declared > this.maxResponseBytes) {
        res.body.destroy();
        throw new ResponseTooLargeError(target, this.maxResponseBytes, res.statusCode);
      }
      const raw = await readCappedBody(res.body, this.maxResponseBytes, target, res.statusCode);
      const latencyMs = Math.round(performance.now() - started);
      return { target, status: res.statusCode, headers, body: parseBody(raw, headers['content-type']), latencyMs };
    } catch (error) {
      throw translateOutboundError(error, target, controller.signal.aborted, req.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private assertDestinationAllowed(url: URL, allowedHosts: readonly string[], target: OutboundTarget): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new OutboundRefusedError('scheme_not_allowed', target, `scheme ${url.protocol} is not http(s)`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new OutboundRefusedError('host_not_allowed', target, 'URLs with embedded credentials are not allowed');
    }
    if (!this.extra.allowsUrl(url) && !new HostAllowList(allowedHosts).allowsUrl(url)) {
      throw new OutboundRefusedError('host_not_allowed', target, `${url.host} is not in the partner host allow-list`);
    }
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Only the host of a Location is reported: its path or query may carry tokens. */
function redirectHost(location: string | undefined, base: URL): string {
  if (location === undefined) return 'an unspecified location';
  try {
    return new URL(location, base).host;
  } catch {
    return 'an unparseable location';
  }
}

function parseBody(raw: Buffer, contentTypeHeader = ''): ResponseBody {
  if (raw.length === 0) return { kind: 'empty' };
  // Only the media type, bounded: the header is partner-controlled text that ends up in details.
  const contentType = contentTypeHeader.split(';')[0].trim().slice(0, 64);
  if (contentType !== '' && !/[/+]json\b/i.test(contentType)) return { kind: 'not_json', contentType };
  try {
    return { kind: 'json', value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { kind: 'invalid_json', contentType };
  }
}
