import { validateEndpoints } from './endpoint-validation';
import { validateFieldValue } from './field-validation';
import { isHostAllowed } from './host-allowlist';
import { ENVIRONMENTS, VENDORS } from './vendor-template.types';
import { VENDOR_TEMPLATES, getVendorTemplate, isEnvironment, isVendor } from './vendor-templates';

describe('vendor templates', () => {
  it('has exactly one template per vendor, keyed by its own vendor name', () => {
    expect(Object.keys(VENDOR_TEMPLATES).sort()).toEqual([...VENDORS].sort());
    for (const vendor of VENDORS) expect(getVendorTemplate(vendor).vendor).toBe(vendor);
  });

  it('recognises vendors and environments and nothing else', () => {
    expect(isVendor('parkwhiz')).toBe(true);
    expect(isVendor('spothero')).toBe(true);
    expect(isVendor('ParkWhiz')).toBe(false);
    expect(isVendor('toString')).toBe(false);
    expect(isVendor(undefined)).toBe(false);
    expect(isEnvironment('sandbox')).toBe(true);
    expect(isEnvironment('staging')).toBe(false);
  });

  it('throws for an unknown vendor instead of returning undefined', () => {
    expect(() => getVendorTemplate('acme' as never)).toThrow('unknown vendor: acme');
  });

  it('cannot be changed by a caller', () => {
    const template = getVendorTemplate('parkwhiz');
    expect(Object.isFrozen(template.configFields[0])).toBe(true);
    expect(() => {
      (template.allowedHosts.production as string[]).push('evil.example.com');
    }).toThrow(TypeError);
  });

  describe.each(VENDORS)('%s', (vendor) => {
    const template = getVendorTemplate(vendor);
    const fields = [...template.configFields, ...template.credentialFields];

    it('documents every field (title, description, example, https doc link)', () => {
      for (const field of fields) {
        expect(field.title.length).toBeGreaterThan(0);
        expect(field.description.length).toBeGreaterThan(0);
        expect(field.example).toBeDefined();
        expect(new URL(field.docLink).protocol).toBe('https:');
      }
      expect(new URL(template.documentationUrl).protocol).toBe('https:');
    });

    it('has unique field names across config and credentials', () => {
      const names = fields.map((field) => field.name);
      expect(new Set(names).size).toBe(names.length);
    });

    it('marks every credential field secret and no config field secret', () => {
      expect(template.credentialFields.every((field) => field.secret)).toBe(true);
      expect(template.configFields.some((field) => field.secret)).toBe(false);
    });

    it('bounds every text field', () => {
      for (const field of fields) {
        if (field.type === 'string' && field.enum === undefined) expect(field.maxLength).toBeDefined();
        if (field.type === 'url' || field.type === 'string[]') expect(field.maxLength).toBeDefined();
        if (field.type === 'string[]') expect(field.maxItems).toBeDefined();
      }
    });

    it('has examples and defaults that pass their own rules', () => {
      for (const field of fields) {
        expect(validateFieldValue(field, field.example, field.name, { environment: 'production' })).toEqual([]);
        if (field.default !== undefined) expect(validateFieldValue(field, field.default, field.name)).toEqual([]);
      }
    });

    it.each(ENVIRONMENTS)('has default %s endpoints that pass endpoint validation', (environment) => {
      const defaults = template.defaultEndpoints[environment];
      expect(validateEndpoints(vendor, environment, { baseUrl: defaults.baseUrl, paths: { ...defaults.paths } })).toEqual([]);
      expect(isHostAllowed(vendor, environment, defaults.baseUrl)).toBe(true);
    });

    it('uses the same path keys in both environments and a probe path that matches them', () => {
      const sandboxKeys = Object.keys(template.defaultEndpoints.sandbox.paths).sort();
      expect(Object.keys(template.defaultEndpoints.production.paths).sort()).toEqual(sandboxKeys);
      for (const environment of ENVIRONMENTS) {
        const paths = template.defaultEndpoints[environment].paths;
        expect(paths[template.probe.pathKey]).toBe(template.probe.path);
        expect(paths[template.initialSync.pathKey]).toBeDefined();
      }
    });

    it('keeps production and sandbox hosts apart', () => {
      const production = template.allowedHosts.production;
      expect(template.allowedHosts.sandbox.filter((host) => production.includes(host))).toEqual([]);
    });

    it('refers only to config fields that exist', () => {
      const configNames = template.configFields.map((field) => field.name);
      expect(configNames).toContain(template.initialSync.idsConfigField);
      const probe = template.probe;
      const referenced =
        probe.kind === 'oauth_client_credentials'
          ? [probe.scopeConfigField]
          : [probe.versionConfigField, ...Object.values(probe.pathParamsFromConfig)];
      for (const name of referenced) expect(configNames).toContain(name);
    });

    it('pre-fills data flows with every documented attribute', () => {
      expect(template.dataFlows.length).toBeGreaterThan(0);
      const ids = template.dataFlows.map((flow) => flow.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const flow of template.dataFlows) {
        expect(flow.data.length).toBeGreaterThan(0);
        expect(flow.frequency.length).toBeGreaterThan(0);
        expect(flow.processing.length).toBeGreaterThan(0);
      }
      const directions = new Set(template.dataFlows.map((flow) => flow.direction));
      expect(directions).toEqual(new Set(['pms_to_partner', 'partner_to_pms']));
    });

    it('has a rubric with unique keys, dataFlows among the required ones', () => {
      const keys = template.documentationRubric.map((item) => item.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(template.documentationRubric.find((item) => item.key === 'dataFlows')?.required).toBe(true);
    });

    it('has sane operational numbers', () => {
      expect(template.degradedThreshold).toBeGreaterThanOrEqual(1);
      expect(template.timeoutsMs.production).toBeGreaterThan(0);
      expect(template.timeoutsMs.sandbox).toBeGreaterThanOrEqual(template.timeoutsMs.production);
      expect(template.rotationPolicy.warnBeforeDays).toBeLessThan(template.rotationPolicy.maxCredentialAgeDays);
    });
  });

  describe('partner facts', () => {
    it('ParkWhiz: confirmed client-credentials probe on the documented hosts, 30 s sandbox timeout', () => {
      const template = getVendorTemplate('parkwhiz');
      expect(template.probe).toMatchObject({
        kind: 'oauth_client_credentials',
        confirmed: true,
        method: 'POST',
        path: '/oauth/token',
        credentialsIn: 'form_body',
      });
      expect(template.defaultEndpoints.production.baseUrl).toBe('https://api.parkwhiz.com/v4');
      expect(template.defaultEndpoints.sandbox.baseUrl).toBe('https://api-sandbox.parkwhiz.com/v4');
      expect(template.defaultEndpoints.production.paths).toEqual({
        token: '/oauth/token',
        location: '/locations/{id}',
        bookings: '/bookings',
      });
      expect(template.timeoutsMs.sandbox).toBe(30_000);
      expect(template.credentialFields.map((field) => field.name)).toEqual(['clientSecret', 'webhookAuthSecret']);
      expect(template.configFields.find((field) => field.name === 'scope')?.enum).toEqual(['partner', 'public']);
      expect(template.configFields.find((field) => field.name === 'webhookVersion')?.enum).toEqual(['1.0', '1.1']);
    });

    it('SpotHero: unconfirmed token-header probe, date-based version defaulting to 2016-05-27', () => {
      const template = getVendorTemplate('spothero');
      expect(template.probe).toMatchObject({
        kind: 'token_header',
        confirmed: false,
        method: 'GET',
        authorizationScheme: 'Token',
        versionHeader: 'SpotHero-Version',
      });
      expect(template.partnerApiVersion).toBe('2016-05-27');
      expect(template.configFields.find((field) => field.name === 'spotheroVersion')?.default).toBe('2016-05-27');
      expect(template.credentialFields.map((field) => field.name)).toEqual(['partnerKey']);
      expect(template.allowedHosts.sandbox).toEqual(['api.staging.spothero.com']);
    });
  });
});
