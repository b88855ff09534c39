import { pathTemplateProblems, validateEndpoints } from './endpoint-validation';

describe('validateEndpoints', () => {
  it('accepts the documented base URLs with or without path overrides', () => {
    expect(validateEndpoints('parkwhiz', 'production', { baseUrl: 'https://api.parkwhiz.com/v4' })).toEqual([]);
    expect(
      validateEndpoints('parkwhiz', 'sandbox', {
        baseUrl: 'http://api.sandbox.parkwhiz.com/v4',
        paths: { bookings: '/bookings' },
      }),
    ).toEqual([]);
    expect(
      validateEndpoints('spothero', 'production', {
        baseUrl: 'https://spothero.com/api',
        paths: { probe: '/partner/v1/facilities/{id}/' },
      }),
    ).toEqual([]);
  });

  it('rejects a non-object, a missing base URL and unknown fields', () => {
    expect(validateEndpoints('parkwhiz', 'production', 'https://api.parkwhiz.com/v4')).toEqual([
      { path: 'endpoints', message: 'must be an object (got string)' },
    ]);
    expect(validateEndpoints('parkwhiz', 'production', { timeoutMs: 5 })).toEqual([
      { path: 'endpoints.baseUrl', message: 'is required' },
      { path: 'endpoints.timeoutMs', message: 'unknown field' },
    ]);
  });

  it('does not require the base URL in partial mode', () => {
    expect(validateEndpoints('parkwhiz', 'production', { paths: { bookings: '/bookings' } }, 'endpoints', { partial: true })).toEqual([]);
  });

  it('uses the given path prefix', () => {
    expect(validateEndpoints('parkwhiz', 'production', { baseUrl: 7 }, 'rows[2].endpoints')).toEqual([
      { path: 'rows[2].endpoints.baseUrl', message: 'must be a string (got number)' },
    ]);
  });

  describe('baseUrl', () => {
    const problemsFor = (baseUrl: string, environment: 'sandbox' | 'production' = 'production') =>
      validateEndpoints('parkwhiz', environment, { baseUrl }).map((problem) => problem.message);

    it('must parse', () => {
      expect(problemsFor('api.parkwhiz.com/v4')).toEqual(['must be an absolute URL']);
    });

    it('must use https in production; http only in sandbox', () => {
      expect(problemsFor('http://api.parkwhiz.com/v4')).toEqual(['must use https']);
      expect(problemsFor('http://api-sandbox.parkwhiz.com/v4', 'sandbox')).toEqual([]);
    });

    it('must not carry credentials, a query or a fragment', () => {
      expect(problemsFor('https://client:secret@api.parkwhiz.com/v4')).toEqual(['must not contain credentials (user:pass@)']);
      expect(problemsFor('https://api.parkwhiz.com/v4?client_secret=x')).toEqual(['must not contain a query string']);
      expect(problemsFor('https://api.parkwhiz.com/v4?')).toEqual(['must not contain a query string']);
      expect(problemsFor('https://api.parkwhiz.com/v4#top')).toEqual(['must not contain a fragment']);
    });

    it('must be on an allowed host for the environment', () => {
      expect(problemsFor('https://evil.example.com/v4')).toEqual([
        'host evil.example.com is not allowed for parkwhiz production (allowed: api.parkwhiz.com)',
      ]);
      // A sandbox host is not a production host, and a non-default port is a different host.
      expect(problemsFor('https://api-sandbox.parkwhiz.com/v4')).toHaveLength(1);
      expect(problemsFor('https://api.parkwhiz.com:8443/v4')).toHaveLength(1);
    });

    it('accepts operator-allowed hosts such as the partner sandbox', () => {
      const endpoints = { baseUrl: 'http://127.0.0.1:4010/parkwhiz/v4' };
      expect(validateEndpoints('parkwhiz', 'sandbox', endpoints)).toHaveLength(1);
      expect(
        validateEndpoints('parkwhiz', 'sandbox', endpoints, 'endpoints', {
          additionalAllowedHosts: ['127.0.0.1:4010'],
        }),
      ).toEqual([]);
      // Still https-only in production, whatever the allow-list says.
      expect(
        validateEndpoints('parkwhiz', 'production', endpoints, 'endpoints', {
          additionalAllowedHosts: ['127.0.0.1:4010'],
        }),
      ).toEqual([{ path: 'endpoints.baseUrl', message: 'must use https' }]);
    });

    it('is bounded', () => {
      expect(problemsFor(`https://api.parkwhiz.com/${'v'.repeat(2100)}`)).toEqual(['must be at most 2048 characters']);
    });
  });

  describe('paths', () => {
    const pathProblems = (paths: unknown) => validateEndpoints('parkwhiz', 'production', { baseUrl: 'https://api.parkwhiz.com/v4', paths });

    it('must be an object of strings with known keys', () => {
      expect(pathProblems(['/oauth/token'])).toEqual([{ path: 'endpoints.paths', message: 'must be an object (got array)' }]);
      expect(pathProblems({ admin: '/admin' })).toEqual([
        { path: 'endpoints.paths.admin', message: 'unknown path (known: token, location, bookings)' },
      ]);
      expect(pathProblems({ token: { path: '/oauth/token' } })).toEqual([
        { path: 'endpoints.paths.token', message: 'must be a string (got object)' },
      ]);
    });

    it('must start with / and keep the placeholders the template fills', () => {
      expect(pathProblems({ token: 'oauth/token' })).toEqual([{ path: 'endpoints.paths.token', message: 'must start with /' }]);
      expect(pathProblems({ location: '/locations' })).toEqual([
        { path: 'endpoints.paths.location', message: 'must contain the placeholder {id}' },
      ]);
      expect(pathProblems({ location: '/locations/{id}/{slug}' })).toEqual([
        { path: 'endpoints.paths.location', message: 'has an unknown placeholder {slug}' },
      ]);
    });
  });
});

describe('pathTemplateProblems', () => {
  it.each([
    ['//evil.example.com/x', 'must not start with //'],
    ['/oauth/token?grant_type=x', 'must not contain a query string or fragment'],
    ['/oauth/token#x', 'must not contain a query string or fragment'],
    ['/oauth/../admin', 'must not contain . or .. segments'],
    ['/oauth/%2E%2e/admin', 'must not contain . or .. segments'],
    ['/oauth/./token', 'must not contain . or .. segments'],
    ['/oauth token', 'contains characters not allowed in a URL path'],
    ['/oauth\\token', 'contains characters not allowed in a URL path'],
    ['/locations/{id', 'has a malformed {placeholder}'],
    ['/locations/{1d}', 'has a malformed {placeholder}'],
  ])('rejects %s', (path, message) => {
    expect(pathTemplateProblems(path, '/locations/{id}')).toContain(message);
  });

  it('accepts a legacy-style path with a trailing slash', () => {
    expect(pathTemplateProblems('/partner/v1/facilities/{id}/', '/v2/facilities/{id}')).toEqual([]);
  });

  it('is bounded', () => {
    expect(pathTemplateProblems(`/${'a'.repeat(600)}`, '/a')).toEqual(['must be at most 512 characters']);
  });
});
