import fc from 'fast-check';
import {
  AUDIT_MAX_CHAINS,
  canonicalAuditFields,
  canonicalAuditFieldsByLoop,
  computeAuditHash,
  type ChainedAuditFields,
} from './audit-chain';
import { loadEnvironment } from '../config/app-config';
import { canonicalJson } from './canonical-json';

const text = fc.oneof(fc.string(), fc.constant('=cmd'), fc.constant('ü "quoted" \\ \n'));
const nullableText = fc.option(text, { nil: null });
const json = fc.jsonValue();
const row: fc.Arbitrary<ChainedAuditFields> = fc.record({
  seq: fc.bigInt({ min: 1n, max: 2n ** 62n }).map(String),
  chain: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: AUDIT_MAX_CHAINS - 1 })),
  occurredAt: fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2999-12-31T00:00:00Z'),
    noInvalidDate: true,
  }) as fc.Arbitrary<Date | string>,
  actorType: fc.constantFrom('user', 'service', 'automation'),
  actorId: text,
  actorName: nullableText,
  actorIssuer: nullableText,
  action: text,
  targetType: nullableText,
  targetId: nullableText,
  outcome: fc.constantFrom('success', 'failure', 'denied'),
  reason: nullableText,
  requestId: nullableText,
  sourceIp: nullableText,
  changes: fc.option(fc.array(fc.record({ field: fc.string(), before: json, after: json })), { nil: null }),
  metadata: fc.option(fc.dictionary(fc.string(), json), { nil: null }),
  prevHash: fc.string({ minLength: 1, maxLength: 64 }),
});

describe('canonicalAuditFields', () => {
  it('encodes exactly like the generic canonicalJson of the row without prevHash (and without chain 0)', () => {
    fc.assert(
      fc.property(row, (r) => {
        const { prevHash: _prevHash, chain, ...fields } = r;
        expect(canonicalAuditFields(r)).toBe(canonicalJson(chain === 0 ? fields : { ...fields, chain }));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same encoding through JSON.stringify as field by field, also for keys JSON.stringify would reorder', () => {
    // Index-like keys come first in a JS object whatever the insertion order; __proto__ is no ordinary key.
    const awkwardKey = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '2', '007', '-1', '1.5', '4294967295', '__proto__', 'a'));
    const awkwardJson = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), tie('object'), fc.array(tie('value'), { maxLength: 3 })),
      object: fc.dictionary(awkwardKey, tie('value'), { maxKeys: 4 }),
    })).value;
    fc.assert(
      fc.property(row, awkwardJson, awkwardJson, (r, changes, metadata) => {
        const withJson = { ...r, changes, metadata };
        const { prevHash: _prevHash, chain, ...fields } = withJson;
        const generic = canonicalJson(chain === 0 ? fields : { ...fields, chain });
        expect(canonicalAuditFields(withJson)).toBe(generic);
        expect(canonicalAuditFieldsByLoop(withJson)).toBe(generic);
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes values that are not plain JSON (Dates, functions, undefined) like canonicalJson', () => {
    const base = {
      seq: '1',
      chain: 3,
      occurredAt: '2026-03-04T05:06:07.089Z',
      actorType: 'user',
      actorId: 'a',
      actorName: null,
      actorIssuer: null,
    };
    const rest = {
      action: 'x',
      targetType: null,
      targetId: null,
      outcome: 'success',
      reason: null,
      requestId: null,
      sourceIp: null,
      prevHash: '0',
    };
    const values: unknown[] = [
      [{ field: 'at', before: new Date('2026-01-01T00:00:00Z'), after: undefined }],
      { b: [1, undefined, () => 1], a: { toJSON: () => 'x' } },
      JSON.parse('{"__proto__": {"x": 1}, "1": 2, "0": 1}'),
    ];
    for (const value of values) {
      const r = { ...base, ...rest, changes: value, metadata: null };
      const { prevHash: _prevHash, ...fields } = r;
      expect(canonicalAuditFields(r)).toBe(canonicalJson(fields));
    }
  });

  it('hashes a Date and its ISO string alike', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const base = {
      seq: '1',
      chain: 0,
      actorType: 'user',
      actorId: 'a',
      actorName: null,
      actorIssuer: null,
      action: 'x',
      targetType: null,
      targetId: null,
      outcome: 'success',
      reason: null,
      requestId: null,
      sourceIp: null,
      changes: null,
      metadata: null,
      prevHash: '0',
    };
    expect(canonicalAuditFields({ ...base, occurredAt: at })).toBe(canonicalAuditFields({ ...base, occurredAt: at.toISOString() }));
  });

  it('encodes chain 0 like rows hashed before there were chains, and binds any other chain into the hash', () => {
    fc.assert(
      fc.property(row, fc.integer({ min: 1, max: AUDIT_MAX_CHAINS - 1 }), (r, other) => {
        const { prevHash: _prevHash, chain: _chain, ...v1 } = r;
        expect(canonicalAuditFields({ ...r, chain: 0 })).toBe(canonicalJson(v1));
        // A row moved into or out of chain 0, or between two other chains, no longer matches its hash.
        const hashIn = (chain: number): string => computeAuditHash({ ...r, chain });
        expect(hashIn(other)).not.toBe(hashIn(0));
        expect(hashIn(other)).not.toBe(hashIn(other === 1 ? 2 : 1));
      }),
      { numRuns: 200 },
    );
  });
});

describe('AUDIT_CHAIN_COUNT configuration', () => {
  it('defaults to 8 and accepts 1..64', () => {
    expect(loadEnvironment({}).AUDIT_CHAIN_COUNT).toBe(8);
    expect(loadEnvironment({ AUDIT_CHAIN_COUNT: '1' }).AUDIT_CHAIN_COUNT).toBe(1);
    expect(loadEnvironment({ AUDIT_CHAIN_COUNT: '64' }).AUDIT_CHAIN_COUNT).toBe(64);
  });

  it.each(['0', '65', '2.5', 'eight'])('refuses %p at boot', (value) => {
    expect(() => loadEnvironment({ AUDIT_CHAIN_COUNT: value })).toThrow(/AUDIT_CHAIN_COUNT/);
  });
});
