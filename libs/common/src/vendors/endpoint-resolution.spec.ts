import { buildEndpointUrl, resolveEndpoints } from './endpoint-resolution';
import { isHostAllowed } from './host-allowlist';

describe('resolveEndpoints', () => {
  it('returns the template defaults for the environment', () => {
    expect(resolveEndpoints('parkwhiz', 'sandbox')).toEqual({
      baseUrl: 'https://api-sandbox.parkwhiz.com/v4',
      paths: { token: '/oauth/token', location: '/locations/{id}', bookings: '/bookings' },
    });
  });

  it('applies per-installation overrides path by path', () => {
    const resolved = resolveEndpoints('spothero', 'production', {
      baseUrl: 'https://spothero.com/api',
      paths: { probe: '/partner/v1/facilities/{id}/' },
    });
    expect(resolved).toEqual({
      baseUrl: 'https://spothero.com/api',
      paths: { probe: '/partner/v1/facilities/{id}/', facility: '/v2/facilities/{id}' },
    });
  });
});

describe('buildEndpointUrl', () => {
  const endpoints = resolveEndpoints('parkwhiz', 'production');

  it('joins base and path, tolerating a trailing slash on the base', () => {
    expect(buildEndpointUrl(endpoints, 'token')).toBe('https://api.parkwhiz.com/v4/oauth/token');
    expect(buildEndpointUrl({ ...endpoints, baseUrl: 'https://api.parkwhiz.com/v4/' }, 'token')).toBe(
      'https://api.parkwhiz.com/v4/oauth/token',
    );
  });

  it('fills placeholders percent-encoded, so a value cannot add path segments', () => {
    expect(buildEndpointUrl(endpoints, 'location', { id: '8567' })).toBe('https://api.parkwhiz.com/v4/locations/8567');
    expect(buildEndpointUrl(endpoints, 'location', { id: 'a/b?c' })).toBe('https://api.parkwhiz.com/v4/locations/a%2Fb%3Fc');
  });

  it('throws on an unknown key or a missing or dot-segment parameter', () => {
    expect(() => buildEndpointUrl(endpoints, 'admin')).toThrow('unknown endpoint path key: admin');
    expect(() => buildEndpointUrl(endpoints, 'location')).toThrow('{id}');
    expect(() => buildEndpointUrl(endpoints, 'location', { id: '..' })).toThrow('{id}');
  });
});

describe('isHostAllowed', () => {
  it('allows exactly the template hosts for the environment', () => {
    expect(isHostAllowed('parkwhiz', 'production', 'https://api.parkwhiz.com/v4/oauth/token')).toBe(true);
    expect(isHostAllowed('parkwhiz', 'production', new URL('https://API.PARKWHIZ.COM/v4'))).toBe(true);
    expect(isHostAllowed('parkwhiz', 'sandbox', 'https://api.parkwhiz.com/v4')).toBe(false);
    expect(isHostAllowed('parkwhiz', 'production', 'https://api.parkwhiz.com.evil.example/v4')).toBe(false);
    expect(isHostAllowed('parkwhiz', 'production', 'https://api.parkwhiz.com:8443/v4')).toBe(false);
    expect(isHostAllowed('spothero', 'production', 'https://spothero.com/api')).toBe(true);
  });

  it('refuses what does not parse', () => {
    expect(isHostAllowed('parkwhiz', 'production', 'not a url')).toBe(false);
  });

  it('matches extra entries by host:port when a port is given, by name otherwise', () => {
    const extra = ['127.0.0.1:4010', ' Sandbox.Local ', '[::1]:4010', ''];
    expect(isHostAllowed('spothero', 'sandbox', 'http://127.0.0.1:4010/x', extra)).toBe(true);
    expect(isHostAllowed('spothero', 'sandbox', 'http://127.0.0.1:4011/x', extra)).toBe(false);
    expect(isHostAllowed('spothero', 'sandbox', 'http://sandbox.local:9999/x', extra)).toBe(true);
    expect(isHostAllowed('spothero', 'sandbox', 'http://[::1]:4010/x', extra)).toBe(true);
    expect(isHostAllowed('spothero', 'sandbox', 'http://[::1]:80/x', extra)).toBe(false);
  });
});
