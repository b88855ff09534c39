import { configIdList, endpointUrl, optionalConfigString, pathFor, requireConfigString, requireSecret } from './adapter-input';
import type { PartnerAdapterInput } from './partner-adapter';

/**
 * What the ParkWhiz adapter reads from its input:
 * - config.clientId (required), config.scope (default `partner`), config.locationIds (optional list)
 * - secrets.clientSecret (required)
 * - paths.token (default `/oauth/token`), paths.location (`/locations/{locationId}`),
 *   paths.bookings (`/bookings`) — relative to baseUrl, which already ends in `/v4`.
 */
export interface ParkWhizSettings {
  tokenUrl: string;
  locationUrl(locationId: string): string;
  bookingsUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  locationIds: string[];
}

export function parkWhizSettings(input: PartnerAdapterInput): ParkWhizSettings {
  const location = pathFor(input, 'location', '/locations/{locationId}');
  return {
    tokenUrl: endpointUrl(input.baseUrl, pathFor(input, 'token', '/oauth/token')),
    locationUrl: (locationId) => endpointUrl(input.baseUrl, location, { locationId }),
    bookingsUrl: endpointUrl(input.baseUrl, pathFor(input, 'bookings', '/bookings'), {}, { per_page: '1' }),
    clientId: requireConfigString(input, 'clientId'),
    clientSecret: requireSecret(input, 'clientSecret'),
    scope: optionalConfigString(input, 'scope', 'partner'),
    locationIds: configIdList(input, 'locationIds'),
  };
}
