import { DEV_CREDENTIALS_KEYS, DEV_FINGERPRINT_KEY, DEV_JWT_SECRET } from '../libs/common/src';
import { bootExpectingExit } from './support/app-process';

/** Issue 2 item 8: configuration validated at boot with clear messages; production refuses development secrets. */
describe('configuration at boot', () => {
  it('production with the development secrets refuses to start and names each one (never printing a value)', async () => {
    const { code, output } = await bootExpectingExit({
      NODE_ENV: 'production',
      JWT_SECRET: DEV_JWT_SECRET,
      CREDENTIALS_KEYS: DEV_CREDENTIALS_KEYS,
      CREDENTIALS_ACTIVE_KEY_ID: 'dev1',
      FINGERPRINT_KEY: DEV_FINGERPRINT_KEY,
      LOG_LEVEL: 'info',
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    for (const name of ['JWT_SECRET', 'CREDENTIALS_KEYS', 'FINGERPRINT_KEY']) expect(output).toContain(name);
    expect(output).not.toContain(DEV_JWT_SECRET);
    expect(output).not.toContain(DEV_CREDENTIALS_KEYS.split(':')[1]);
  }, 90_000);

  it('production without any JWT configuration refuses to start', async () => {
    const { code, output } = await bootExpectingExit({ NODE_ENV: 'production', JWT_SECRET: undefined, JWT_JWKS_URI: undefined });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/JWT_SECRET or JWT_JWKS_URI/);
  }, 90_000);

  it('invalid values are named, all at once: PORT, LOG_LEVEL, a short JWT_SECRET, BODY_LIMIT_BYTES', async () => {
    const { code, output } = await bootExpectingExit({
      PORT: 'eighty',
      LOG_LEVEL: 'chatty',
      JWT_SECRET: 'short-secret',
      BODY_LIMIT_BYTES: '12',
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_SECRET', 'BODY_LIMIT_BYTES']) expect(output).toContain(name);
    expect(output).not.toContain('short-secret');
  }, 90_000);
});
