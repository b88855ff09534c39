import { describeJsonType, echoKey, isPlainObject } from './field-validation';
import { isHostAllowed } from './host-allowlist';
import { urlProblems } from './url-rules';
import { getVendorTemplate } from './vendor-templates';
import { Environment, FieldProblem, Vendor } from './vendor-template.types';

export interface EndpointValidationOptions {
  /** PATCH: `baseUrl` may be absent. */
  readonly partial?: boolean;
  /** Operator-allowed extra hosts (PARTNER_HOST_ALLOWLIST), e.g. the partner sandbox. */
  readonly additionalAllowedHosts?: readonly string[];
}

const MAX_URL_LENGTH = 2048;
const MAX_PATH_LENGTH = 512;
/** RFC 3986 path characters plus the braces of `{placeholder}`s. */
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/{}]+$/u;
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/gu;

/**
 * Validates an installation's `endpoints`: `{ baseUrl, paths? }`. Hosts are checked here, when the
 * record is saved, so a bad host is a 4xx now rather than a failed verification later.
 */
export function validateEndpoints(
  vendor: Vendor,
  environment: Environment,
  endpoints: unknown,
  pathPrefix = 'endpoints',
  options: EndpointValidationOptions = {},
): FieldProblem[] {
  if (!isPlainObject(endpoints)) {
    return [{ path: pathPrefix, message: `must be an object (got ${describeJsonType(endpoints)})` }];
  }
  const problems: FieldProblem[] = [];
  const { baseUrl, paths } = endpoints;
  if (baseUrl === undefined) {
    if (!options.partial) problems.push({ path: `${pathPrefix}.baseUrl`, message: 'is required' });
  } else {
    problems.push(
      ...baseUrlProblems(vendor, environment, baseUrl, options).map((message) => ({
        path: `${pathPrefix}.baseUrl`,
        message,
      })),
    );
  }
  if (paths !== undefined) problems.push(...pathsProblems(vendor, paths, `${pathPrefix}.paths`));
  for (const key of Object.keys(endpoints)) {
    if (key !== 'baseUrl' && key !== 'paths') problems.push({ path: `${pathPrefix}.${echoKey(key)}`, message: 'unknown field' });
  }
  return problems;
}

function baseUrlProblems(vendor: Vendor, environment: Environment, value: unknown, options: EndpointValidationOptions): string[] {
  if (typeof value !== 'string') return [`must be a string (got ${describeJsonType(value)})`];
  if (value.length > MAX_URL_LENGTH) return [`must be at most ${MAX_URL_LENGTH} characters`];
  const problems = urlProblems(value, { environment, allowQuery: false });
  if (problems.length > 0) return problems;
  if (!isHostAllowed(vendor, environment, value, options.additionalAllowedHosts)) {
    const allowed = getVendorTemplate(vendor).allowedHosts[environment].join(', ');
    return [`host ${echoKey(new URL(value).host)} is not allowed for ${vendor} ${environment} (allowed: ${allowed})`];
  }
  return [];
}

function pathsProblems(vendor: Vendor, paths: unknown, prefix: string): FieldProblem[] {
  if (!isPlainObject(paths)) return [{ path: prefix, message: `must be an object (got ${describeJsonType(paths)})` }];
  // Paths are the same in both environments (the template spec checks it), so either set will do.
  const defaults = getVendorTemplate(vendor).defaultEndpoints.production.paths;
  const known = Object.keys(defaults);
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(paths)) {
    const path = `${prefix}.${echoKey(key)}`;
    const defaultPath = Object.prototype.hasOwnProperty.call(defaults, key) ? defaults[key] : undefined;
    if (defaultPath === undefined) {
      problems.push({ path, message: `unknown path (known: ${known.join(', ')})` });
    } else if (typeof value !== 'string') {
      problems.push({ path, message: `must be a string (got ${describeJsonType(value)})` });
    } else {
      problems.push(...pathTemplateProblems(value, defaultPath).map((message) => ({ path, message })));
    }
  }
  return problems;
}

/** A path is appended to the base URL, so it must not be able to leave it (`//host`, `..`). */
export function pathTemplateProblems(value: string, defaultPath: string): string[] {
  if (value.length > MAX_PATH_LENGTH) return [`must be at most ${MAX_PATH_LENGTH} characters`];
  if (!value.startsWith('/')) return ['must start with /'];
  if (value.startsWith('//')) return ['must not start with //'];
  if (value.includes('?') || value.includes('#')) return ['must not contain a query string or fragment'];
  if (!PATH_CHARACTERS.test(value)) return ['contains characters not allowed in a URL path'];
  const segments = value.split('/').map((segment) => segment.toLowerCase().replace(/%2e/gu, '.'));
  if (segments.some((segment) => segment === '.' || segment === '..')) return ['must not contain . or .. segments'];
  if (value.replace(PLACEHOLDER, '').match(/[{}]/u)) return ['has a malformed {placeholder}'];
  const wanted = placeholders(defaultPath);
  const given = placeholders(value);
  const problems = [...wanted].filter((name) => !given.has(name)).map((name) => `must contain the placeholder {${name}}`);
  problems.push(...[...given].filter((name) => !wanted.has(name)).map((name) => `has an unknown placeholder {${name}}`));
  return problems;
}

export function placeholders(path: string): Set<string> {
  return new Set(Array.from(path.matchAll(PLACEHOLDER), (match) => match[1]));
}
