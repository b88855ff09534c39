import { urlProblems } from './url-rules';
import { Environment, FieldProblem, FieldSpec } from './vendor-template.types';

export interface FieldValidationOptions {
  /**
   * PATCH: required fields may be absent, and `null` removes an optional field (JSON merge patch,
   * RFC 7396; see applySectionPatch). Outside partial mode `null` is never a valid value.
   */
  readonly partial?: boolean;
  /** Decides whether url fields may use plain http (sandbox only); absent means production rules. */
  readonly environment?: Environment;
}

/** Unknown keys are echoed in paths; cap them so a hostile key cannot flood the error body. */
const MAX_ECHOED_KEY = 64;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What the client sent, in JSON words, for messages like `must be a string (got object)`. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function echoKey(key: string): string {
  return key.length > MAX_ECHOED_KEY ? `${key.slice(0, MAX_ECHOED_KEY)}…` : key;
}

/**
 * Validates an object against an ordered list of field specs. Messages never contain the
 * submitted value, because some fields are secret.
 */
export function validateFields(
  fields: readonly FieldSpec[],
  value: unknown,
  pathPrefix: string,
  options: FieldValidationOptions = {},
): FieldProblem[] {
  if (!isPlainObject(value)) {
    return [{ path: pathPrefix, message: `must be an object (got ${describeJsonType(value)})` }];
  }
  const problems: FieldProblem[] = [];
  for (const field of fields) {
    const path = `${pathPrefix}.${field.name}`;
    const fieldValue = Object.prototype.hasOwnProperty.call(value, field.name) ? value[field.name] : undefined;
    if (fieldValue === undefined) {
      if (field.required && !options.partial) problems.push({ path, message: 'is required' });
    } else if (fieldValue === null && options.partial) {
      if (field.required) problems.push({ path, message: 'is required and cannot be removed' });
    } else {
      problems.push(...validateFieldValue(field, fieldValue, path, options));
    }
  }
  const known = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(value)) {
    if (!known.has(key)) problems.push({ path: `${pathPrefix}.${echoKey(key)}`, message: 'unknown field' });
  }
  return problems;
}

export function validateFieldValue(field: FieldSpec, value: unknown, path: string, options: FieldValidationOptions = {}): FieldProblem[] {
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? stringProblems(field, value, path) : [typeProblem(path, 'a string', value)];
    case 'url':
      if (typeof value !== 'string') return [typeProblem(path, 'a string', value)];
      return urlFieldProblems(field, value, path, options.environment);
    case 'integer':
      return integerProblems(field, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? [] : [typeProblem(path, 'a boolean', value)];
    case 'string[]':
      return stringArrayProblems(field, value, path);
    default:
      return assertNever(field.type);
  }
}

function typeProblem(path: string, expected: string, value: unknown): FieldProblem {
  return { path, message: `must be ${expected} (got ${describeJsonType(value)})` };
}

function stringProblems(field: FieldSpec, value: string, path: string): FieldProblem[] {
  // Count code points, not UTF-16 units, as JSON Schema does.
  const length = Array.from(value).length;
  if (field.minLength !== undefined && length < field.minLength) {
    return [{ path, message: `must be at least ${field.minLength} characters` }];
  }
  // Checked before the pattern so an oversized input never reaches the regular expression.
  if (field.maxLength !== undefined && length > field.maxLength) {
    return [{ path, message: `must be at most ${field.maxLength} characters` }];
  }
  if (field.enum !== undefined && !field.enum.includes(value)) {
    return [{ path, message: `must be one of: ${field.enum.join(', ')}` }];
  }
  if (field.pattern !== undefined && !compiledPattern(field.pattern).test(value)) {
    const hint = field.patternHint ?? `e.g. ${exampleText(field)}`;
    return [{ path, message: `must match the pattern ${field.pattern} (${hint})` }];
  }
  return [];
}

function urlFieldProblems(field: FieldSpec, value: string, path: string, environment?: Environment): FieldProblem[] {
  const lengthProblems = stringProblems({ ...field, pattern: undefined, enum: undefined }, value, path);
  if (lengthProblems.length > 0) return lengthProblems;
  return urlProblems(value, { environment, allowQuery: true }).map((message) => ({ path, message }));
}

function integerProblems(field: FieldSpec, value: unknown, path: string): FieldProblem[] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return [typeof value === 'number' ? { path, message: 'must be an integer' } : typeProblem(path, 'an integer', value)];
  }
  if (field.minimum !== undefined && value < field.minimum) return [{ path, message: `must be at least ${field.minimum}` }];
  if (field.maximum !== undefined && value > field.maximum) return [{ path, message: `must be at most ${field.maximum}` }];
  return [];
}

function stringArrayProblems(field: FieldSpec, value: unknown, path: string): FieldProblem[] {
  if (!Array.isArray(value)) return [typeProblem(path, 'an array of strings', value)];
  if (field.minItems !== undefined && value.length < field.minItems) {
    return [{ path, message: `must have at least ${field.minItems} item(s)` }];
  }
  if (field.maxItems !== undefined && value.length > field.maxItems) {
    return [{ path, message: `must have at most ${field.maxItems} items` }];
  }
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== 'string') {
      problems.push(typeProblem(itemPath, 'a string', item));
      return;
    }
    // Lists in templates are ID sets; a repeat is almost always a copy-paste slip.
    if (seen.has(item)) problems.push({ path: itemPath, message: 'duplicates an earlier item' });
    seen.add(item);
    problems.push(...stringProblems(field, item, itemPath));
  });
  return problems;
}

function exampleText(field: FieldSpec): string {
  return Array.isArray(field.example) ? String(field.example[0]) : String(field.example);
}

const patternCache = new Map<string, RegExp>();

function compiledPattern(source: string): RegExp {
  let pattern = patternCache.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source, 'u');
    patternCache.set(source, pattern);
  }
  return pattern;
}

function assertNever(value: never): never {
  throw new Error(`unhandled field type: ${String(value)}`);
}
