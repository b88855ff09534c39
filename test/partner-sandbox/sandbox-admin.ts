import type { SandboxReply } from './http-io';
import type { PartnerSandbox } from './partner-sandbox';
import { parseSandboxConfigPatch, SandboxConfigError } from './sandbox-config-parser';
import type { SandboxCall } from './sandbox-route';

export const ADMIN_PREFIX = '/__sandbox/';

/**
 * Runtime control for tests in another process. Loopback-only by default (see main.ts);
 * it never returns configured secrets.
 */
export function answerAdmin(call: SandboxCall, sandbox: PartnerSandbox): SandboxReply {
  const action = `${call.method} ${call.path.slice(ADMIN_PREFIX.length)}`;
  switch (action) {
    case 'GET calls':
      return { status: 200, json: sandbox.calls() };
    case 'POST reset':
      sandbox.reset();
      return { status: 204 };
    case 'POST config':
      return configure(call.body, sandbox);
    default:
      return { status: 404, json: { error: 'not_found', message: 'GET calls, POST config, POST reset' } };
  }
}

function configure(body: string, sandbox: PartnerSandbox): SandboxReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { status: 400, json: { error: 'invalid_json', message: 'body must be a JSON object' } };
  }
  try {
    sandbox.configure(parseSandboxConfigPatch(parsed));
  } catch (error) {
    if (error instanceof SandboxConfigError) return { status: 400, json: { error: 'invalid_config', message: error.message } };
    throw error;
  }
  return { status: 200, json: sandbox.describe() };
}
