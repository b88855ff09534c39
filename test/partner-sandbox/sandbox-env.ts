import { readFileSync } from 'node:fs';
import { demoSandboxConfig, PartnerSandboxConfig } from './sandbox-config';
import { parseSandboxConfigPatch } from './sandbox-config-parser';

export const DEFAULT_SANDBOX_PORT = 4010;

export interface SandboxEnvSettings {
  port: number;
  host: string;
  config: PartnerSandboxConfig;
}

/**
 * `PARTNER_SANDBOX_CONFIG` is inline JSON (starts with `{`) or a path to a JSON file; its fields
 * replace the demo defaults one by one. See README.md.
 */
export function sandboxSettingsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvSettings {
  const port = Number(env.PARTNER_SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error('PARTNER_SANDBOX_PORT must be an integer between 0 and 65535');
  }
  const source = env.PARTNER_SANDBOX_CONFIG?.trim();
  const patch = source ? parseSandboxConfigPatch(parseJson(source.startsWith('{') ? source : readFileSync(source, 'utf8'))) : {};
  return { port, host: env.PARTNER_SANDBOX_HOST ?? '127.0.0.1', config: { ...demoSandboxConfig(), ...patch } };
}

/** V8's JSON errors quote the input, and the input holds sandbox secrets: report position-free. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('PARTNER_SANDBOX_CONFIG is not valid JSON');
  }
}
