import type { AuthOutcome, AuthSuccess, PartnerAdapter, PartnerAdapterInput, SyncOutcome } from './partner-adapter';
import { exchange, failure, failureFromBody, failureFromStatus, isSuccess, probeOf } from './partner-outcomes';
import { PartnerSession } from './partner-session';
import { hasId, syncResources } from './resource-sync';
import type { OutboundRequest, SafeHttpClient } from './safe-http-client';
import { SpotHeroSettings, spotHeroSettings } from './spothero-settings';

export interface SpotHeroAdapterOptions {
  /**
   * Also call the probe WITHOUT the key and require a 401/403 (default true). Some SpotHero
   * endpoints answer anonymously; a 2xx from such an endpoint would "verify" any key.
   */
  requireAnonymousRejection?: boolean;
}

/** SpotHero's body is `{data: …}` around the resource. */
const facilityBody = (id: string) => (body: unknown) =>
  typeof body === 'object' && body !== null && hasId((body as Record<string, unknown>).data, id);

/** SpotHero legacy partner API: static key in `Authorization: Token …` plus `SpotHero-Version`. */
export class SpotHeroAdapter implements PartnerAdapter {
  readonly vendor = 'spothero' as const;
  private readonly requireAnonymousRejection: boolean;

  constructor(
    private readonly http: SafeHttpClient,
    options: SpotHeroAdapterOptions = {},
  ) {
    this.requireAnonymousRejection = options.requireAnonymousRejection ?? true;
  }

  async authenticate(input: PartnerAdapterInput): Promise<AuthOutcome> {
    const settings = spotHeroSettings(input);
    const probe = { method: 'GET' as const, ...hostAndPath(input.baseUrl, settings.probe.path) };
    if (!settings.probe.confirmed) {
      // DESIGN §5: no confirmed probe means no claim either way, and no call with the key.
      return failure(probe, 'unsupported', 'probe_unconfirmed', 'the template has no confirmed SpotHero probe; not called');
    }
    const url = settings.probeUrl();
    const callProbe = probeOf('GET', url);
    const request = this.request(input, url, this.keyHeaders(settings));
    const keyed = await exchange(this.http, request, callProbe);
    if (!keyed.ok) return keyed.failure;
    const { response } = keyed;
    if (!isSuccess(response)) return failureFromStatus(response, callProbe, 'probe', response.latencyMs);
    if (response.body.kind !== 'json') return failureFromBody(response, callProbe, 'probe', response.latencyMs);
    const success: AuthSuccess = {
      ok: true,
      session: PartnerSession.keyBased(),
      probe: callProbe,
      httpStatus: response.status,
      latencyMs: response.latencyMs,
      detail: 'partner key accepted by the probe',
    };
    return this.requireAnonymousRejection ? this.confirmAnonymousRejected(input, settings.apiVersion, success) : success;
  }

  async initialSync(input: PartnerAdapterInput, _auth: AuthSuccess): Promise<SyncOutcome> {
    const settings = spotHeroSettings(input);
    // The key itself is the credential: the session carries nothing for SpotHero.
    const headers = this.keyHeaders(settings);
    if (settings.facilityIds.length === 0) {
      const probe = { method: 'GET' as const, ...hostAndPath(input.baseUrl, '/') };
      return { ...failure(probe, 'unsupported', 'nothing_to_sync', 'no SpotHero facility ids configured'), found: [], missing: [] };
    }
    return syncResources(
      this.http,
      'facility',
      settings.facilityIds.map((id) => ({
        id,
        request: this.request(input, settings.facilityUrl(id), headers),
        isResource: facilityBody(id),
      })),
    );
  }

  /** The same probe without the key must be refused, or the probe proves nothing about the key. */
  private async confirmAnonymousRejected(input: PartnerAdapterInput, apiVersion: string, keyed: AuthSuccess): Promise<AuthOutcome> {
    const url = spotHeroSettings(input).probeUrl();
    const control = await exchange(this.http, this.request(input, url, { 'spothero-version': apiVersion }), keyed.probe);
    const latencyMs = keyed.latencyMs + (control.ok ? control.response.latencyMs : control.failure.latencyMs);
    if (!control.ok) return { ...control.failure, latencyMs, detail: `anonymous control call: ${control.failure.detail}` };
    const status = control.response.status;
    if (status === 401 || status === 403) return { ...keyed, latencyMs, detail: `${keyed.detail}; anonymous call refused with ${status}` };
    const facts = { httpStatus: keyed.httpStatus, latencyMs };
    if (isSuccess(control.response)) {
      return failure(
        keyed.probe,
        'unsupported',
        'probe_accepts_anonymous',
        `probe answered ${status} without credentials, so it cannot verify a key`,
        facts,
      );
    }
    if (status === 429 || status >= 500) {
      const transient = failureFromStatus(control.response, keyed.probe, 'anonymous control call', latencyMs);
      return { ...transient, httpStatus: status };
    }
    return failure(keyed.probe, 'contract', 'unexpected_status', `anonymous control call answered ${status}, expected 401`, facts);
  }

  private keyHeaders(settings: SpotHeroSettings): Record<string, string> {
    return { authorization: `Token ${settings.partnerKey}`, 'spothero-version': settings.apiVersion };
  }

  private request(input: PartnerAdapterInput, url: string, headers: Record<string, string>): OutboundRequest {
    return {
      method: 'GET',
      url,
      headers: { accept: 'application/json', ...headers },
      allowedHosts: input.allowedHosts,
      timeoutMs: input.timeoutMs,
    };
  }
}

/** For outcomes of calls not made: the probe as configured, placeholders left unfilled. */
function hostAndPath(baseUrl: string, path: string): { host: string; path: string } {
  const base = new URL(baseUrl);
  return { host: base.host, path: `${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}` };
}
