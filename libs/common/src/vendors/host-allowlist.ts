import { getVendorTemplate } from './vendor-templates';
import { Environment, Vendor } from './vendor-template.types';

/**
 * Whether an outbound call to `target` is allowed: its host is one of the template's hosts for the
 * environment (exact `URL.host`, so a non-default port is refused), or one of the operator's extra
 * hosts (PARTNER_HOST_ALLOWLIST, e.g. the partner sandbox). An extra entry with a port matches
 * host:port exactly; one without a port matches the host name on any port.
 * The API (when endpoints are saved) and the verifier (before each call) share this one rule.
 */
export function isHostAllowed(
  vendor: Vendor,
  environment: Environment,
  target: string | URL,
  additionalAllowedHosts: readonly string[] = [],
): boolean {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return false;
  }
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  if (getVendorTemplate(vendor).allowedHosts[environment].includes(host)) return true;
  return additionalAllowedHosts.some((entry) => {
    const normalized = entry.trim().toLowerCase();
    if (normalized === '') return false;
    return hasPort(normalized) ? normalized === host : normalized === hostname;
  });
}

/** `host:port` or `[v6]:port` carries a port; `host` and `[v6]` do not. */
function hasPort(entry: string): boolean {
  return entry.startsWith('[') ? entry.includes(']:') : entry.includes(':');
}
