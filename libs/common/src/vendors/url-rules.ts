import { Environment } from './vendor-template.types';

export interface UrlRuleOptions {
  /** Plain http is accepted only for sandbox installations; absent means the production rule. */
  readonly environment?: Environment;
  /** Base URLs take no query: paths are appended to them. Webhook URLs may carry one. */
  readonly allowQuery: boolean;
}

/**
 * Problems with a URL stored in a record, as messages (empty when acceptable). Userinfo is refused
 * everywhere: a URL is not a secret field, so `user:pass@` would be shown and logged in clear.
 */
export function urlProblems(raw: string, options: UrlRuleOptions): string[] {
  // The WHATWG parser silently strips tabs and newlines, so check the raw text first.
  if (/[\s\u0000-\u001f\u007f]/u.test(raw)) {
    return ['must not contain whitespace or control characters'];
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['must be an absolute URL'];
  }
  const problems: string[] = [];
  const httpAllowed = options.environment === 'sandbox';
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
    problems.push(httpAllowed ? 'must use https or http' : 'must use https');
  }
  if (url.username !== '' || url.password !== '') {
    problems.push('must not contain credentials (user:pass@)');
  }
  if (!options.allowQuery && raw.includes('?')) problems.push('must not contain a query string');
  if (raw.includes('#')) problems.push('must not contain a fragment');
  return problems;
}
