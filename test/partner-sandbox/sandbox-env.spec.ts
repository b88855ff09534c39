import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoSandboxConfig } from './sandbox-config';
import { sandboxSettingsFromEnv } from './sandbox-env';

describe('sandboxSettingsFromEnv', () => {
  it('defaults to the demo config on 127.0.0.1:4010', () => {
    expect(sandboxSettingsFromEnv({})).toEqual({ port: 4010, host: '127.0.0.1', config: demoSandboxConfig() });
  });

  it('replaces demo fields with those of inline JSON and keeps the rest', () => {
    const settings = sandboxSettingsFromEnv({
      PARTNER_SANDBOX_PORT: '4999',
      PARTNER_SANDBOX_CONFIG: JSON.stringify({ locationIds: [7, '8'], faults: { 'demo-client': { kind: 'status', status: 429 } } }),
    });
    expect(settings.port).toBe(4999);
    expect(settings.config.locationIds).toEqual(['7', '8']);
    expect(settings.config.faults['demo-client']).toMatchObject({ kind: 'status', status: 429 });
    expect(settings.config.parkwhizClients).toEqual(demoSandboxConfig().parkwhizClients);
  });

  it('reads a JSON file path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sandbox-')), 'sandbox.json');
    writeFileSync(file, JSON.stringify({ spotheroKeys: [{ key: 'file-key', label: 'file' }] }));
    expect(sandboxSettingsFromEnv({ PARTNER_SANDBOX_CONFIG: file }).config.spotheroKeys).toEqual([{ key: 'file-key', label: 'file' }]);
  });

  it('reports broken JSON and bad shapes without quoting the document', () => {
    expect(() => sandboxSettingsFromEnv({ PARTNER_SANDBOX_CONFIG: '{"parkwhizClients": [{"clientSecret": "s3cr3t-value"' })).toThrow(
      /^PARTNER_SANDBOX_CONFIG is not valid JSON$/,
    );
    const bad = JSON.stringify({ parkwhizClients: [{ clientId: 'a', clientSecret: 7 }] });
    expect(() => sandboxSettingsFromEnv({ PARTNER_SANDBOX_CONFIG: bad })).toThrow(
      'parkwhizClients[0].clientSecret: expected a non-empty string',
    );
    expect(() => sandboxSettingsFromEnv({ PARTNER_SANDBOX_PORT: 'http' })).toThrow(/PARTNER_SANDBOX_PORT/);
  });
});
