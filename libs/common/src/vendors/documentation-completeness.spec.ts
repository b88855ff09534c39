import { documentationCompleteness } from './documentation-completeness';
import { getVendorTemplate } from './vendor-templates';

const complete = {
  dataFlows: getVendorTemplate('parkwhiz').dataFlows,
  runbookUrl: 'https://wiki.example.com/runbooks/arrive',
  escalationContact: 'integrations-oncall@example.com',
  rotationProcedure: 'Ask partner-support@arrive.com for a new secret; submit it; wait for verification.',
  parcsVendor: 'Acme Gates',
};

describe('documentationCompleteness', () => {
  it('scores a fully documented installation as complete', () => {
    expect(documentationCompleteness('parkwhiz', complete)).toEqual({ score: 1, complete: true, missing: [] });
  });

  it('ignores optional items: adding or omitting notes changes nothing', () => {
    expect(documentationCompleteness('parkwhiz', { ...complete, notes: 'gate 3 is manual' }).score).toBe(1);
  });

  it('lists missing required items in rubric order and scores the share present', () => {
    const { runbookUrl: _runbook, parcsVendor: _parcs, ...partial } = complete;
    expect(documentationCompleteness('parkwhiz', partial)).toEqual({
      score: 3 / 5,
      complete: false,
      missing: ['runbookUrl', 'parcsVendor'],
    });
  });

  it('treats empty values as missing', () => {
    const result = documentationCompleteness('spothero', {
      ...complete,
      dataFlows: [],
      runbookUrl: '   ',
      escalationContact: null,
      rotationProcedure: {},
      parcsVendor: [''],
    });
    expect(result).toEqual({
      score: 0,
      complete: false,
      missing: ['dataFlows', 'runbookUrl', 'escalationContact', 'rotationProcedure', 'parcsVendor'],
    });
  });

  it('scores a missing or non-object documentation as zero', () => {
    for (const documentation of [undefined, null, 'see wiki', ['runbookUrl']]) {
      const result = documentationCompleteness('parkwhiz', documentation);
      expect(result.score).toBe(0);
      expect(result.complete).toBe(false);
      expect(result.missing).toHaveLength(5);
    }
  });

  it('does not count inherited properties', () => {
    const inherited = Object.create(complete) as Record<string, unknown>;
    expect(documentationCompleteness('parkwhiz', inherited).complete).toBe(false);
  });
});
