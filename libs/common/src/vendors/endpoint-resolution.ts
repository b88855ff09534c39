import { getVendorTemplate } from './vendor-templates';
import { EndpointSet, Environment, Vendor } from './vendor-template.types';

/** An installation's stored endpoints, already checked by validateEndpoints. */
export interface EndpointOverrides {
  readonly baseUrl?: string;
  readonly paths?: Readonly<Record<string, string>>;
}

/** The endpoints a call uses: the template defaults for the environment, overridden per installation. */
export function resolveEndpoints(vendor: Vendor, environment: Environment, overrides: EndpointOverrides = {}): EndpointSet {
  const defaults = getVendorTemplate(vendor).defaultEndpoints[environment];
  return {
    baseUrl: overrides.baseUrl ?? defaults.baseUrl,
    paths: { ...defaults.paths, ...overrides.paths },
  };
}

/**
 * The absolute URL for one named path, with `{placeholders}` filled from `params`. Values are
 * percent-encoded and `.`/`..` refused, so a parameter can never move the call to another path.
 * Throws on a programming error (unknown key, missing or unsafe parameter).
 */
export function buildEndpointUrl(endpoints: EndpointSet, pathKey: string, params: Readonly<Record<string, string>> = {}): string {
  const template = Object.prototype.hasOwnProperty.call(endpoints.paths, pathKey) ? endpoints.paths[pathKey] : undefined;
  if (template === undefined) throw new Error(`unknown endpoint path key: ${pathKey}`);
  const path = template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/gu, (_match, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    if (value === undefined || value === '' || value === '.' || value === '..') {
      throw new Error(`missing or unsafe value for path parameter {${name}} of ${pathKey}`);
    }
    return encodeURIComponent(value);
  });
  // Base URLs may be saved with a trailing slash; paths always start with one.
  return endpoints.baseUrl.replace(/\/+$/u, '') + path;
}
