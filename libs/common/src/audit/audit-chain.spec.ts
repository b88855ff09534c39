import fc from 'fast-check';
import { canonicalAuditFields, type ChainedAuditFields } from './audit-chain';
import { canonicalJson } from './canonical-json';

const text = fc.oneof(fc.string(), fc.constant('=cmd'), fc.constant('ü "quoted" \\ \n'));
const nullableText = fc.option(text, { nil: null });
const json = fc.jsonValue();
const row: fc.Arbitrary<ChainedAuditFields> = fc.record({
  seq: fc.bigInt({ min: 1n, max: 2n ** 62n }).map(String),
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
  it('encodes exactly like the generic canonicalJson of the row without prevHash', () => {
    fc.assert(
      fc.property(row, (r) => {
        const { prevHash: _prevHash, ...fields } = r;
        expect(canonicalAuditFields(r)).toBe(canonicalJson(fields));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes a Date and its ISO string alike', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const base = {
      seq: '1',
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
});
