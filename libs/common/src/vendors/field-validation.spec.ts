import { validateFields, validateFieldValue } from './field-validation';
import { FieldSpec } from './vendor-template.types';

/** Synthetic specs exercise every field type, including ones the current templates do not use. */
function spec(overrides: Partial<FieldSpec> & Pick<FieldSpec, 'name' | 'type'>): FieldSpec {
  return {
    title: overrides.name,
    description: 'test field',
    example: 'x',
    required: false,
    secret: false,
    docLink: 'https://example.com/docs',
    ...overrides,
  };
}

const retries = spec({ name: 'retries', type: 'integer', example: 3, minimum: 0, maximum: 10 });
const enabled = spec({ name: 'enabled', type: 'boolean', example: true });
const code = spec({
  name: 'code',
  type: 'string',
  example: 'AB12',
  pattern: '^[A-Z]{2}[0-9]{2}$',
  minLength: 4,
  maxLength: 4,
  required: true,
});
const tags = spec({ name: 'tags', type: 'string[]', example: ['a'], minItems: 1, maxItems: 3, maxLength: 5 });
const hook = spec({ name: 'hook', type: 'url', example: 'https://pms.example.com/hook', maxLength: 100 });
const secret = spec({
  name: 'secret',
  type: 'string',
  example: 'EXAMPLE',
  pattern: '^[\\x21-\\x7E]+$',
  patternHint: 'printable ASCII without spaces',
  secret: true,
});

describe('validateFieldValue', () => {
  it('accepts well-typed values', () => {
    expect(validateFieldValue(retries, 0, 'c.retries')).toEqual([]);
    expect(validateFieldValue(enabled, false, 'c.enabled')).toEqual([]);
    expect(validateFieldValue(code, 'XY99', 'c.code')).toEqual([]);
    expect(validateFieldValue(tags, ['a', 'b'], 'c.tags')).toEqual([]);
  });

  it('rejects integers that are not whole, not numbers, or out of range', () => {
    expect(validateFieldValue(retries, 1.5, 'c.retries')).toEqual([{ path: 'c.retries', message: 'must be an integer' }]);
    expect(validateFieldValue(retries, '3', 'c.retries')).toEqual([{ path: 'c.retries', message: 'must be an integer (got string)' }]);
    expect(validateFieldValue(retries, Number.NaN, 'c.retries')).toEqual([{ path: 'c.retries', message: 'must be an integer' }]);
    expect(validateFieldValue(retries, -1, 'c.retries')).toEqual([{ path: 'c.retries', message: 'must be at least 0' }]);
    expect(validateFieldValue(retries, 11, 'c.retries')).toEqual([{ path: 'c.retries', message: 'must be at most 10' }]);
  });

  it('rejects booleans given as strings or numbers', () => {
    expect(validateFieldValue(enabled, 'true', 'c.enabled')).toEqual([{ path: 'c.enabled', message: 'must be a boolean (got string)' }]);
    expect(validateFieldValue(enabled, 1, 'c.enabled')).toEqual([{ path: 'c.enabled', message: 'must be a boolean (got number)' }]);
  });

  it('rejects nested objects, arrays and null where a scalar is expected', () => {
    expect(validateFieldValue(code, { $ne: '' }, 'c.code')).toEqual([{ path: 'c.code', message: 'must be a string (got object)' }]);
    expect(validateFieldValue(code, ['AB12'], 'c.code')).toEqual([{ path: 'c.code', message: 'must be a string (got array)' }]);
    expect(validateFieldValue(code, null, 'c.code')).toEqual([{ path: 'c.code', message: 'must be a string (got null)' }]);
    expect(validateFieldValue(hook, { href: 'https://x' }, 'c.hook')).toEqual([
      { path: 'c.hook', message: 'must be a string (got object)' },
    ]);
  });

  it('rejects strings that are too short, too long or off-pattern', () => {
    expect(validateFieldValue(code, 'AB1', 'c.code')).toEqual([{ path: 'c.code', message: 'must be at least 4 characters' }]);
    expect(validateFieldValue(code, 'AB123', 'c.code')).toEqual([{ path: 'c.code', message: 'must be at most 4 characters' }]);
    expect(validateFieldValue(code, 'ab12', 'c.code')).toEqual([
      { path: 'c.code', message: 'must match the pattern ^[A-Z]{2}[0-9]{2}$ (e.g. AB12)' },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    const short = spec({ name: 'n', type: 'string', maxLength: 2 });
    expect(validateFieldValue(short, '😀😀', 'n')).toEqual([]);
  });

  it('explains a secret pattern in words and never echoes the secret', () => {
    const problems = validateFieldValue(secret, 'has a space', 'credentials.secret');
    expect(problems).toEqual([
      {
        path: 'credentials.secret',
        message: 'must match the pattern ^[\\x21-\\x7E]+$ (printable ASCII without spaces)',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('has a space');
  });

  it('rejects a CR/LF in a secret (header injection)', () => {
    expect(validateFieldValue(secret, 'abc\r\nX-Evil: 1', 'credentials.secret')).toHaveLength(1);
  });

  it('checks string[] shape, item types, item rules, size and repeats', () => {
    expect(validateFieldValue(tags, 'a', 'c.tags')).toEqual([{ path: 'c.tags', message: 'must be an array of strings (got string)' }]);
    expect(validateFieldValue(tags, [], 'c.tags')).toEqual([{ path: 'c.tags', message: 'must have at least 1 item(s)' }]);
    expect(validateFieldValue(tags, ['a', 'b', 'c', 'd'], 'c.tags')).toEqual([{ path: 'c.tags', message: 'must have at most 3 items' }]);
    expect(validateFieldValue(tags, ['a', 7, { id: 'b' }], 'c.tags')).toEqual([
      { path: 'c.tags[1]', message: 'must be a string (got number)' },
      { path: 'c.tags[2]', message: 'must be a string (got object)' },
    ]);
    expect(validateFieldValue(tags, ['a', 'toolong'], 'c.tags')).toEqual([{ path: 'c.tags[1]', message: 'must be at most 5 characters' }]);
    expect(validateFieldValue(tags, ['a', 'a'], 'c.tags')).toEqual([{ path: 'c.tags[1]', message: 'duplicates an earlier item' }]);
  });

  it('applies url rules: absolute, https outside sandbox, no userinfo, no fragment, bounded', () => {
    expect(validateFieldValue(hook, 'pms.example.com/hook', 'c.hook')).toEqual([{ path: 'c.hook', message: 'must be an absolute URL' }]);
    expect(validateFieldValue(hook, 'http://pms.example.com/hook', 'c.hook', { environment: 'production' })).toEqual([
      { path: 'c.hook', message: 'must use https' },
    ]);
    // Without an environment the strict rule applies.
    expect(validateFieldValue(hook, 'http://pms.example.com/hook', 'c.hook')).toEqual([{ path: 'c.hook', message: 'must use https' }]);
    expect(validateFieldValue(hook, 'http://pms.example.com/hook', 'c.hook', { environment: 'sandbox' })).toEqual([]);
    expect(validateFieldValue(hook, 'ftp://pms.example.com/hook', 'c.hook', { environment: 'sandbox' })).toEqual([
      { path: 'c.hook', message: 'must use https or http' },
    ]);
    expect(validateFieldValue(hook, 'https://user:pass@pms.example.com/hook', 'c.hook', { environment: 'sandbox' })).toEqual([
      { path: 'c.hook', message: 'must not contain credentials (user:pass@)' },
    ]);
    expect(validateFieldValue(hook, 'https://pms.example.com/hook#x', 'c.hook')).toEqual([
      { path: 'c.hook', message: 'must not contain a fragment' },
    ]);
    expect(validateFieldValue(hook, 'https://pms.example.com/hook?tenant=1', 'c.hook')).toEqual([]);
    expect(validateFieldValue(hook, 'https://pms.example.com/ho\nok', 'c.hook')).toEqual([
      { path: 'c.hook', message: 'must not contain whitespace or control characters' },
    ]);
    expect(validateFieldValue(hook, `https://pms.example.com/${'a'.repeat(100)}`, 'c.hook')).toEqual([
      { path: 'c.hook', message: 'must be at most 100 characters' },
    ]);
  });
});

describe('validateFields', () => {
  const fields = [code, retries];

  it('rejects anything but a plain object', () => {
    for (const [value, got] of [
      [null, 'null'],
      [[], 'array'],
      ['x', 'string'],
      [3, 'number'],
    ] as const) {
      expect(validateFields(fields, value, 'config')).toEqual([{ path: 'config', message: `must be an object (got ${got})` }]);
    }
    expect(validateFields(fields, new Date(), 'config')).toEqual([{ path: 'config', message: 'must be an object (got object)' }]);
  });

  it('reports missing required fields, then field problems, then unknown fields', () => {
    expect(validateFields(fields, { retries: 'x', role: 'admin' }, 'config')).toEqual([
      { path: 'config.code', message: 'is required' },
      { path: 'config.retries', message: 'must be an integer (got string)' },
      { path: 'config.role', message: 'unknown field' },
    ]);
  });

  it('treats an inherited or __proto__ key as unknown data, not as a field', () => {
    const parsed: unknown = JSON.parse('{"code":"AB12","__proto__":{"retries":99}}');
    expect(validateFields(fields, parsed, 'config')).toEqual([{ path: 'config.__proto__', message: 'unknown field' }]);
  });

  it('caps the echoed name of an unknown field', () => {
    const [problem] = validateFields(fields, { code: 'AB12', ['k'.repeat(500)]: 1 }, 'config');
    expect(problem.path).toBe(`config.${'k'.repeat(64)}…`);
  });

  it('rejects null outside partial mode', () => {
    expect(validateFields(fields, { code: 'AB12', retries: null }, 'config')).toEqual([
      { path: 'config.retries', message: 'must be an integer (got null)' },
    ]);
  });

  describe('partial mode (PATCH)', () => {
    it('does not require absent fields but still checks present ones and unknown keys', () => {
      expect(validateFields(fields, {}, 'config', { partial: true })).toEqual([]);
      expect(validateFields(fields, { retries: 99, role: 'x' }, 'config', { partial: true })).toEqual([
        { path: 'config.retries', message: 'must be at most 10' },
        { path: 'config.role', message: 'unknown field' },
      ]);
    });

    it('lets null remove an optional field but not a required one', () => {
      expect(validateFields(fields, { retries: null }, 'config', { partial: true })).toEqual([]);
      expect(validateFields(fields, { code: null }, 'config', { partial: true })).toEqual([
        { path: 'config.code', message: 'is required and cannot be removed' },
      ]);
    });
  });
});
