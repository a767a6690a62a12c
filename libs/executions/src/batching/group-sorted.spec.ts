import { groupSorted } from './group-sorted';

describe('groupSorted', () => {
  it('groups by key in sorted key order, keeping each group in arrival order', () => {
    const items = [
      { tenant: 'b', n: 1 },
      { tenant: 'a', n: 2 },
      { tenant: 'b', n: 3 },
    ];
    expect(groupSorted(items, (item) => item.tenant)).toEqual([
      ['a', [{ tenant: 'a', n: 2 }]],
      [
        'b',
        [
          { tenant: 'b', n: 1 },
          { tenant: 'b', n: 3 },
        ],
      ],
    ]);
  });
});
