/**
 * `npm run sandbox`: the partner sandbox as a standalone process for demos and for e2e runs that
 * start it in another process. Logs one JSON line per call to stdout (labels only, no secrets).
 */
import { startPartnerSandbox } from './partner-sandbox';
import { sandboxSettingsFromEnv } from './sandbox-env';

function logLine(fields: object): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'partner-sandbox', ...fields })}\n`);
}

async function main(): Promise<void> {
  const settings = sandboxSettingsFromEnv(process.env);
  const sandbox = await startPartnerSandbox({ ...settings.config, host: settings.host, port: settings.port, log: logLine });
  logLine({
    event: 'listening',
    url: sandbox.url,
    parkwhizBaseUrl: `${sandbox.url}/v4`,
    spotheroBaseUrl: `${sandbox.url}/api`,
    ...sandbox.server.describe(),
  });
  const shutdown = (signal: string): void => {
    logLine({ event: 'shutdown', signal });
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // Config errors name the field, never its value (SandboxConfigError), so the message is safe.
  logLine({ event: 'failed', error: error instanceof Error ? error.message : 'unknown error' });
  process.exit(1);
});
