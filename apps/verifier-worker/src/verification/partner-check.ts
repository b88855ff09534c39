import { getVendorTemplate, resolveEndpoints, type Environment, type Installation, type Vendor } from '@app/common';
import { AdapterInputError } from '../partners/adapter-input';
import type { PartnerAdapter, PartnerAdapterInput, PartnerFailure, PartnerVendor } from '../partners/partner-adapter';
import { isTransient, notAttempted, type CheckResult } from './check-result';

/** Templates name the path parameter `{id}`; the adapters name it after the resource. */
const PATH_PARAMETER: Record<PartnerVendor, string> = { parkwhiz: '{locationId}', spothero: '{facilityId}' };

/** What a check reads of the installation. */
export type CheckTarget = Pick<Installation, 'vendor' | 'environment' | 'config' | 'endpoints'>;

/** Authenticate, then the initial sync check, against one installation's partner. */
export class PartnerCheck {
  constructor(
    private readonly adapters: Record<PartnerVendor, PartnerAdapter>,
    private readonly timeoutCapMs: number | undefined,
  ) {}

  async run(installation: CheckTarget, secrets: Record<string, string>): Promise<CheckResult> {
    const vendor = installation.vendor as Vendor;
    const adapter = this.adapters[vendor];
    if (!adapter) return notAttempted(`no adapter for vendor ${installation.vendor}`);
    try {
      const input = this.inputFor(installation, secrets);
      const auth = await adapter.authenticate(input);
      if (!auth.ok) return fromFailure(auth, false, 0);
      const sync = await adapter.initialSync(input, auth);
      if (!sync.ok) return fromFailure(sync, true, auth.latencyMs);
      return {
        outcome: 'success',
        failureClass: null,
        detail: `${auth.detail}; ${sync.detail}`,
        probe: auth.probe,
        httpStatus: auth.httpStatus,
        latencyMs: auth.latencyMs + sync.latencyMs,
        authenticated: true,
        transient: false,
      };
    } catch (error) {
      if (error instanceof AdapterInputError) return notAttempted(`installation record unusable: ${error.message}`);
      throw error;
    }
  }

  private inputFor(installation: CheckTarget, secrets: Record<string, string>): PartnerAdapterInput {
    const vendor = installation.vendor as Vendor;
    const environment = installation.environment as Environment;
    const template = getVendorTemplate(vendor);
    const endpoints = resolveEndpoints(vendor, environment, installation.endpoints);
    const paths = Object.fromEntries(Object.entries(endpoints.paths).map(([k, v]) => [k, v.replace('{id}', PATH_PARAMETER[vendor])]));
    const templateTimeout = template.timeoutsMs[environment];
    return {
      baseUrl: endpoints.baseUrl,
      paths,
      config: installation.config,
      secrets,
      timeoutMs: this.timeoutCapMs === undefined ? templateTimeout : Math.min(templateTimeout, this.timeoutCapMs),
      allowedHosts: template.allowedHosts[environment],
      probe: { path: paths[template.probe.pathKey] ?? template.probe.path, confirmed: template.probe.confirmed },
    };
  }
}

/** A failed sync keeps the authentication probe's facts only when the sync made no call. */
function fromFailure(failure: PartnerFailure, authenticated: boolean, earlierLatencyMs: number): CheckResult {
  const result: CheckResult = {
    outcome: 'failure',
    failureClass: failure.failureClass,
    detail: authenticated ? `authenticated; initial sync failed: ${failure.detail}` : failure.detail,
    probe: failure.probe,
    httpStatus: failure.httpStatus,
    latencyMs: earlierLatencyMs + failure.latencyMs,
    authenticated,
    transient: isTransient(failure.failureClass, failure.reason),
  };
  return failure.retryAfterSeconds === undefined ? result : { ...result, retryAfterSeconds: failure.retryAfterSeconds };
}
