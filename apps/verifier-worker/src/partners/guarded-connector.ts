import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { AddressLookup, forbiddenRange, HostAllowList, urlHostname } from './address-policy';

/** Raised inside the connector; the client turns it into an OutboundRefusedError for its request. */
export class AddressRefusal extends Error {
  override readonly name = 'AddressRefusal';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname} resolves to ${address} (${range})`);
  }
}

/**
 * An undici connector that resolves the host itself, refuses non-public addresses and then
 * connects to the address it checked, so a second DNS answer (rebinding) cannot slip past.
 * Hosts in `exempt` (PARTNER_HOST_ALLOWLIST) skip the address check: the sandbox is on loopback.
 */
export function guardedConnector(exempt: HostAllowList, lookup: AddressLookup, connectTimeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: connectTimeoutMs });
  return (options, callback) => {
    if (exempt.allows(urlHostname(options.hostname), options.port, options.protocol)) {
      connect(options, callback);
      return;
    }
    const addresses = isIP(options.hostname) ? Promise.resolve([options.hostname]) : lookup(options.hostname);
    addresses.then(
      (resolved) => {
        // Every answer must be public: a mixed answer is how rebinding attacks start.
        for (const address of resolved) {
          const range = forbiddenRange(address);
          if (range !== null) return callback(new AddressRefusal(options.hostname, address, range), null);
        }
        if (resolved.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), null);
        // Keep the name for TLS SNI and certificate checks while dialling the vetted address.
        const servername = options.servername || (isIP(options.hostname) ? undefined : options.hostname);
        connect({ ...options, hostname: resolved[0], servername }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
}
