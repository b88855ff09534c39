import type { AuthOutcome, AuthSuccess, PartnerAdapter, PartnerAdapterInput, SyncOutcome } from './partner-adapter';
import { exchange, failureFromBody, failureFromStatus, isSuccess, probeOf } from './partner-outcomes';
import { parkWhizSettings } from './parkwhiz-settings';
import { tokenOutcome } from './parkwhiz-token';
import { hasId, syncResources } from './resource-sync';
import type { OutboundRequest, SafeHttpClient } from './safe-http-client';

const JSON_ACCEPT = { accept: 'application/json' };

/**
 * ParkWhiz / Arrive v4 (shared/partners.md). The token request is the credential check: other
 * endpoints answer without a token, so their 200 would prove nothing.
 */
export class ParkWhizAdapter implements PartnerAdapter {
  readonly vendor = 'parkwhiz' as const;

  constructor(private readonly http: SafeHttpClient) {}

  async authenticate(input: PartnerAdapterInput): Promise<AuthOutcome> {
    const settings = parkWhizSettings(input);
    const probe = probeOf('POST', settings.tokenUrl);
    // Credentials go in the form body: HTTP Basic is answered with 401 by ParkWhiz.
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      scope: settings.scope,
    });
    const result = await exchange(
      this.http,
      {
        method: 'POST',
        url: settings.tokenUrl,
        headers: { ...JSON_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        allowedHosts: input.allowedHosts,
        timeoutMs: input.timeoutMs,
      },
      probe,
    );
    if (!result.ok) return result.failure;
    if (!isSuccess(result.response)) return failureFromStatus(result.response, probe, 'token endpoint', result.response.latencyMs);
    return tokenOutcome(result.response, probe, settings.scope);
  }

  /** Reads every configured location; with none configured, proves bookings are readable instead. */
  async initialSync(input: PartnerAdapterInput, auth: AuthSuccess): Promise<SyncOutcome> {
    const settings = parkWhizSettings(input);
    const headers = { ...JSON_ACCEPT, ...auth.session.authorizationHeaders() };
    const base = { method: 'GET' as const, headers, allowedHosts: input.allowedHosts, timeoutMs: input.timeoutMs };
    if (settings.locationIds.length === 0) return this.readBookings({ ...base, url: settings.bookingsUrl });
    return syncResources(
      this.http,
      'location',
      settings.locationIds.map((id) => ({
        id,
        request: { ...base, url: settings.locationUrl(id) },
        isResource: (body) => hasId(body, id),
      })),
    );
  }

  private async readBookings(request: OutboundRequest): Promise<SyncOutcome> {
    const probe = probeOf('GET', request.url);
    const result = await exchange(this.http, request, probe);
    if (!result.ok) return { ...result.failure, found: [], missing: [] };
    const { response } = result;
    if (!isSuccess(response)) return { ...failureFromStatus(response, probe, 'bookings', response.latencyMs), found: [], missing: [] };
    // Collections are bare JSON arrays in v4.
    if (response.body.kind !== 'json' || !Array.isArray(response.body.value)) {
      return { ...failureFromBody(response, probe, 'bookings', response.latencyMs), found: [], missing: [] };
    }
    return { ok: true, probe, httpStatus: response.status, latencyMs: response.latencyMs, detail: 'bookings readable', found: [] };
  }
}
