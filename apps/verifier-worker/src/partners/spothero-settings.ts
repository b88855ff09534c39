import { configIdList, endpointUrl, optionalConfigString, pathFor, requireSecret } from './adapter-input';
import type { PartnerAdapterInput } from './partner-adapter';

/** The legacy partner API's date-based version (shared/partners.md). */
export const DEFAULT_SPOTHERO_VERSION = '2016-05-27';
const FACILITY_PATH = '/partner/v1/facilities/{facilityId}/';

/**
 * What the SpotHero adapter reads from its input:
 * - secrets.partnerKey (required)
 * - config.spotheroVersion (SpotHero-Version, default 2016-05-27; apiVersion also read), config.facilityIds (optional list)
 * - probe { path, confirmed } (else paths.probe, unconfirmed); `{facilityId}` in it is filled
 *   with the first configured facility id
 * - paths.facility (default `/partner/v1/facilities/{facilityId}/`, relative to baseUrl `…/api`)
 */
export interface SpotHeroSettings {
  partnerKey: string;
  apiVersion: string;
  facilityIds: string[];
  probe: { path: string; confirmed: boolean };
  probeUrl(): string;
  facilityUrl(facilityId: string): string;
}

export function spotHeroSettings(input: PartnerAdapterInput): SpotHeroSettings {
  const facilityIds = configIdList(input, 'facilityIds');
  const probe = input.probe ?? { path: pathFor(input, 'probe', FACILITY_PATH), confirmed: false };
  // Templates write the placeholder as {id} (libs/common vendors), older paths as {facilityId}: fill both.
  const facilityParams = (facilityId: string): Record<string, string> => ({ facilityId, id: facilityId });
  const firstFacility: Record<string, string> = facilityIds.length > 0 ? facilityParams(facilityIds[0]) : {};
  return {
    partnerKey: requireSecret(input, 'partnerKey'),
    // The template names the field spotheroVersion; apiVersion is accepted for hand-built inputs.
    apiVersion: optionalConfigString(input, 'spotheroVersion', optionalConfigString(input, 'apiVersion', DEFAULT_SPOTHERO_VERSION)),
    facilityIds,
    probe,
    probeUrl: () => endpointUrl(input.baseUrl, probe.path, firstFacility),
    facilityUrl: (facilityId) => endpointUrl(input.baseUrl, pathFor(input, 'facility', FACILITY_PATH), facilityParams(facilityId)),
  };
}
