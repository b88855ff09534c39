import { applySectionPatch, templateSectionFields, validateTemplateSection } from './template-validation';

const parkwhizConfig = {
  clientId: 'a1b2c3d4e5f6',
  scope: 'partner',
  locationIds: ['8567'],
  webhookVersion: '1.1',
  createBookingWebhookUrl: 'https://pms.example.com/arrive/create',
  cancelBookingWebhookUrl: 'https://pms.example.com/arrive/cancel',
  webhookAuthHeaderName: 'X-Access-Token',
};

describe('validateTemplateSection', () => {
  it('accepts complete, valid sections for both vendors', () => {
    expect(validateTemplateSection('parkwhiz', 'config', parkwhizConfig, 'config', { environment: 'production' })).toEqual([]);
    expect(validateTemplateSection('parkwhiz', 'credentials', { clientSecret: 's3cr3t-value' })).toEqual([]);
    expect(validateTemplateSection('spothero', 'config', { facilityIds: ['4821'], spotheroVersion: '2016-05-27' })).toEqual([]);
    expect(validateTemplateSection('spothero', 'credentials', { partnerKey: '9944b09199c62bcf' })).toEqual([]);
  });

  it('selects the section and defaults the path prefix to its name', () => {
    expect(templateSectionFields('spothero', 'credentials').map((field) => field.name)).toEqual(['partnerKey']);
    expect(validateTemplateSection('spothero', 'credentials', {})).toEqual([{ path: 'credentials.partnerKey', message: 'is required' }]);
    expect(validateTemplateSection('spothero', 'credentials', {}, 'rows[3].credentials')).toEqual([
      { path: 'rows[3].credentials.partnerKey', message: 'is required' },
    ]);
  });

  it('rejects a non-object section', () => {
    expect(validateTemplateSection('parkwhiz', 'config', 'clientId=abc')).toEqual([
      { path: 'config', message: 'must be an object (got string)' },
    ]);
    expect(validateTemplateSection('parkwhiz', 'credentials', ['x'])).toEqual([
      { path: 'credentials', message: 'must be an object (got array)' },
    ]);
  });

  it('names every missing required field', () => {
    expect(validateTemplateSection('parkwhiz', 'config', {})).toEqual([
      { path: 'config.clientId', message: 'is required' },
      { path: 'config.scope', message: 'is required' },
      { path: 'config.locationIds', message: 'is required' },
    ]);
  });

  it('rejects a value outside the enum', () => {
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, scope: 'admin' })).toEqual([
      { path: 'config.scope', message: 'must be one of: partner, public' },
    ]);
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, webhookVersion: '2.0' })).toEqual([
      { path: 'config.webhookVersion', message: 'must be one of: 1.0, 1.1' },
    ]);
  });

  it('rejects the wrong type and nested objects where a scalar is expected', () => {
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, clientId: 42 })).toEqual([
      { path: 'config.clientId', message: 'must be a string (got number)' },
    ]);
    expect(validateTemplateSection('spothero', 'credentials', { partnerKey: { value: 'abc' } })).toEqual([
      { path: 'credentials.partnerKey', message: 'must be a string (got object)' },
    ]);
  });

  it('rejects a pattern mismatch', () => {
    expect(validateTemplateSection('spothero', 'config', { facilityIds: ['4821'], spotheroVersion: '27/05/2016' })).toEqual([
      {
        path: 'config.spotheroVersion',
        message: 'must match the pattern ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$ (e.g. 2016-05-27)',
      },
    ]);
    expect(validateTemplateSection('spothero', 'config', { facilityIds: ['4821'], spotheroVersion: '2016-13-27' })).toEqual([
      { path: 'config.spotheroVersion', message: expect.stringContaining('must match the pattern') as string },
    ]);
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, webhookAuthHeaderName: 'X Token' })).toEqual([
      { path: 'config.webhookAuthHeaderName', message: expect.stringContaining('an HTTP header name') as string },
    ]);
  });

  it('rejects path-unsafe IDs and non-string or duplicate list members', () => {
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, locationIds: ['../admin', 8567, '1', '1'] })).toEqual([
      { path: 'config.locationIds[0]', message: expect.stringContaining('must match the pattern') as string },
      { path: 'config.locationIds[1]', message: 'must be a string (got number)' },
      { path: 'config.locationIds[3]', message: 'duplicates an earlier item' },
    ]);
    expect(validateTemplateSection('spothero', 'config', { facilityIds: [] })).toEqual([
      { path: 'config.facilityIds', message: 'must have at least 1 item(s)' },
    ]);
  });

  it('rejects too-long and too-short values', () => {
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, clientId: 'a'.repeat(257) })).toEqual([
      { path: 'config.clientId', message: 'must be at most 256 characters' },
    ]);
    expect(validateTemplateSection('parkwhiz', 'credentials', { clientSecret: 'x'.repeat(8), webhookAuthSecret: 'short' })).toEqual([
      { path: 'credentials.webhookAuthSecret', message: 'must be at least 16 characters' },
    ]);
  });

  it('names an unknown field', () => {
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, role: 'admin' })).toEqual([
      { path: 'config.role', message: 'unknown field' },
    ]);
    // A secret put in config by mistake is refused, so it is never stored in clear.
    expect(validateTemplateSection('parkwhiz', 'config', { ...parkwhizConfig, clientSecret: 'x'.repeat(20) })).toEqual([
      { path: 'config.clientSecret', message: 'unknown field' },
    ]);
  });

  it('never echoes a submitted secret', () => {
    const problems = validateTemplateSection('parkwhiz', 'credentials', { clientSecret: 'TOP SECRET VALUE' });
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain('TOP SECRET VALUE');
  });

  it('applies url rules by environment', () => {
    const plainHttp = { ...parkwhizConfig, createBookingWebhookUrl: 'http://pms.example.com/arrive/create' };
    expect(validateTemplateSection('parkwhiz', 'config', plainHttp, 'config', { environment: 'production' })).toEqual([
      { path: 'config.createBookingWebhookUrl', message: 'must use https' },
    ]);
    expect(validateTemplateSection('parkwhiz', 'config', plainHttp, 'config', { environment: 'sandbox' })).toEqual([]);
    const userinfo = { ...parkwhizConfig, cancelBookingWebhookUrl: 'https://admin:hunter2@pms.example.com/cancel' };
    expect(validateTemplateSection('parkwhiz', 'config', userinfo, 'config', { environment: 'sandbox' })).toEqual([
      { path: 'config.cancelBookingWebhookUrl', message: 'must not contain credentials (user:pass@)' },
    ]);
  });

  describe('partial mode (PATCH)', () => {
    it('does not enforce required fields', () => {
      expect(validateTemplateSection('parkwhiz', 'config', { scope: 'public' }, 'config', { partial: true })).toEqual([]);
    });

    it('still rejects bad values and unknown fields', () => {
      expect(validateTemplateSection('parkwhiz', 'config', { scope: 'admin', role: 'x' }, 'config', { partial: true })).toEqual([
        { path: 'config.scope', message: 'must be one of: partner, public' },
        { path: 'config.role', message: 'unknown field' },
      ]);
    });

    it('lets null remove an optional field only', () => {
      expect(validateTemplateSection('parkwhiz', 'config', { webhookVersion: null }, 'config', { partial: true })).toEqual([]);
      expect(validateTemplateSection('parkwhiz', 'config', { clientId: null }, 'config', { partial: true })).toEqual([
        { path: 'config.clientId', message: 'is required and cannot be removed' },
      ]);
    });
  });
});

describe('applySectionPatch', () => {
  it('replaces given fields, removes null ones and keeps the rest', () => {
    const current = { clientId: 'abc', scope: 'partner', webhookVersion: '1.0' };
    expect(applySectionPatch(current, { scope: 'public', webhookVersion: null })).toEqual({
      clientId: 'abc',
      scope: 'public',
    });
    expect(current).toEqual({ clientId: 'abc', scope: 'partner', webhookVersion: '1.0' });
  });

  it('keeps a __proto__ key as data instead of changing the prototype', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const merged = applySectionPatch({}, patch);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged)).toEqual(['__proto__']);
  });
});
