import { AdapterInputError, configIdList, endpointUrl } from './adapter-input';
import type { PartnerAdapterInput } from './partner-adapter';
import { partnerErrorCode, retryAfterSeconds } from './partner-outcomes';

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP-dates, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});

describe('partnerErrorCode', () => {
  it('takes OAuth and SpotHero envelope codes but never free text', () => {
    expect(partnerErrorCode({ error: 'invalid_client', error_description: 'bad secret abc' })).toBe('invalid_client');
    expect(partnerErrorCode({ data: { errors: [{ code: 'not_authenticated', messages: ['x'] }] } })).toBe('not_authenticated');
    expect(partnerErrorCode({ error: 'client secret s3cr3t was wrong' })).toBeUndefined();
    expect(partnerErrorCode([1, 2])).toBeUndefined();
  });
});

describe('endpointUrl and configIdList', () => {
  it('joins base and path once and encodes placeholders', () => {
    expect(endpointUrl('https://api.parkwhiz.com/v4/', '/oauth/token')).toBe('https://api.parkwhiz.com/v4/oauth/token');
    expect(endpointUrl('https://spothero.com/api', 'partner/v1/facilities/{facilityId}/', { facilityId: '1/../x' })).toBe(
      'https://spothero.com/api/partner/v1/facilities/1%2F..%2Fx/',
    );
    expect(() => endpointUrl('https://x.test', '/{missing}')).toThrow(AdapterInputError);
  });

  it('accepts id arrays, numbers and comma-separated strings', () => {
    const input = (locationIds: unknown): PartnerAdapterInput =>
      ({ baseUrl: '', paths: {}, config: { locationIds }, secrets: {}, timeoutMs: 1, allowedHosts: [] }) satisfies PartnerAdapterInput;
    expect(configIdList(input([1, '2']), 'locationIds')).toEqual(['1', '2']);
    expect(configIdList(input('3, 4'), 'locationIds')).toEqual(['3', '4']);
    expect(configIdList(input(undefined), 'locationIds')).toEqual([]);
    expect(() => configIdList(input([{}]), 'locationIds')).toThrow('config "locationIds" must list ids');
  });
});
