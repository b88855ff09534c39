import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

/**
 * Which destinations a partner call may reach. Hosts come from the vendor template's allow-list
 * plus PARTNER_HOST_ALLOWLIST (sandboxes); addresses must be public unicast unless the host is in
 * that extra list. Checked on the RESOLVED address at connect time (shared/RELIABILITY.md, SSRF).
 */

/** Resolves a hostname to every address it has; injectable so tests can simulate DNS answers. */
export type AddressLookup = (hostname: string) => Promise<string[]>;

export const systemAddressLookup: AddressLookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * `null` when the address is public unicast, else the name of the range that forbids it.
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
 */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'unparseable';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== 'unicast') return range;
  // ::/96 (IPv4-compatible, deprecated) is 'unicast' to ipaddr.js but reaches IPv4 hosts such as ::7f00:1.
  if (parsed.kind() === 'ipv6' && parsed.match(ipaddr.parseCIDR('::/96'))) return 'ipv4Compatible';
  return null;
}

/** Hostname as `URL.hostname` spells it: lower case, IPv6 in brackets. */
export function urlHostname(hostname: string): string {
  return isIP(hostname) === 6 && !hostname.startsWith('[') ? `[${hostname}]` : hostname.toLowerCase();
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Entries are `host`, `host:port` or a URL. A bare host allows only the scheme's default port,
 * so allow-listing `127.0.0.1` for a sandbox does not open every local service.
 * Entries pass through the WHATWG URL parser, so `2130706433` and `127.0.0.1` are one entry.
 */
export class HostAllowList {
  private readonly anyDefaultPort = new Set<string>();
  private readonly exactPort = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const raw of entries.map((e) => e.trim()).filter((e) => e.length > 0)) {
      let url: URL;
      try {
        url = new URL(raw.includes('://') ? raw : `http://${raw}`);
      } catch {
        throw new TypeError(`partner host allow-list entry is not a host or URL: ${raw}`);
      }
      if (url.port === '') this.anyDefaultPort.add(url.hostname);
      else this.exactPort.add(`${url.hostname}:${url.port}`);
    }
  }

  /** `hostname` as in URL.hostname, `port` as in URL.port ('' for the scheme's default). */
  allows(hostname: string, port: string, protocol: string): boolean {
    const host = urlHostname(hostname);
    if (port === '' && this.anyDefaultPort.has(host)) return true;
    return this.exactPort.has(`${host}:${port || defaultPort(protocol)}`);
  }

  allowsUrl(url: URL): boolean {
    return this.allows(url.hostname, url.port, url.protocol);
  }

  get size(): number {
    return this.anyDefaultPort.size + this.exactPort.size;
  }
}
