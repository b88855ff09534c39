import type { PartnerAdapter, PartnerVendor } from './partner-adapter';
import { ParkWhizAdapter } from './parkwhiz.adapter';
import type { SafeHttpClient } from './safe-http-client';
import { SpotHeroAdapter, SpotHeroAdapterOptions } from './spothero.adapter';

/** One adapter per vendor, all sharing the one guarded HTTP client (one connection pool). */
export function createPartnerAdapters(
  http: SafeHttpClient,
  options: { spothero?: SpotHeroAdapterOptions } = {},
): Record<PartnerVendor, PartnerAdapter> {
  return { parkwhiz: new ParkWhizAdapter(http), spothero: new SpotHeroAdapter(http, options.spothero) };
}
