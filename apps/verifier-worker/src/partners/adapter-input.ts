import type { PartnerAdapterInput } from './partner-adapter';

/** The input cannot be used (missing field, bad path): a record/template bug, not a partner answer. */
export class AdapterInputError extends Error {
  override readonly name = 'AdapterInputError';
}

/** Messages name the field, never its value. */
export function requireSecret(input: PartnerAdapterInput, name: string): string {
  const value = input.secrets[name];
  if (typeof value !== 'string' || value.length === 0) throw new AdapterInputError(`secret "${name}" is missing`);
  return value;
}

export function requireConfigString(input: PartnerAdapterInput, name: string): string {
  const value = input.config[name];
  if (typeof value !== 'string' || value.length === 0) throw new AdapterInputError(`config "${name}" is missing`);
  return value;
}

export function optionalConfigString(input: PartnerAdapterInput, name: string, fallback: string): string {
  const value = input.config[name];
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw new AdapterInputError(`config "${name}" must be a string`);
  return value;
}

/** Ids as an array of strings/integers or a comma-separated string (CSV imports produce the latter). */
export function configIdList(input: PartnerAdapterInput, name: string): string[] {
  const value = input.config[name];
  if (value === undefined || value === null) return [];
  const items: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'number' && Number.isInteger(item)) return String(item);
    if (typeof item === 'string' && item.trim().length > 0) return item.trim();
    throw new AdapterInputError(`config "${name}" must list ids`);
  });
}

export function pathFor(input: PartnerAdapterInput, name: string, fallback: string): string {
  return input.paths[name] ?? fallback;
}

/** `{base}{path}` with `{placeholders}` filled (URL-encoded) and optional query parameters. */
export function endpointUrl(
  baseUrl: string,
  path: string,
  params: Record<string, string> = {},
  query: Record<string, string> = {},
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new AdapterInputError(`path placeholder {${key}} has no value`);
    return encodeURIComponent(value);
  });
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/${filled.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}
