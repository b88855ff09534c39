import { diffFields } from './field-changes';

describe('diffFields', () => {
  it('reports nested changes as dotted paths, additions and removals', () => {
    const changes = diffFields(
      { propertyName: 'A', config: { scope: 'partner', locationIds: ['1'] }, ownerTeam: 'x' },
      { propertyName: 'A', config: { scope: 'public', locationIds: ['1', '2'] }, versions: { pms: '7.1' } },
    );
    expect(changes).toEqual([
      { field: 'config.locationIds', before: ['1'], after: ['1', '2'] },
      { field: 'config.scope', before: 'partner', after: 'public' },
      { field: 'ownerTeam', before: 'x', after: null },
      { field: 'versions.pms', before: null, after: '7.1' },
    ]);
  });

  it('reports nothing when only key order differs', () => {
    expect(diffFields({ config: { a: 1, b: 2 } }, { config: { b: 2, a: 1 } })).toEqual([]);
  });

  it('compares dates by instant', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(diffFields({ installedAt: at }, { installedAt: '2026-01-01T00:00:00.000Z' })).toEqual([]);
  });
});
