import { everyMinute, totalDepth, totalFinished } from './operations-summary';

describe('operations summary', () => {
  it('sums the per-agent queue depths', () => {
    expect(
      totalDepth([
        { agentId: 'a', waiting: 2, delayed: 1, active: 3, requiresAction: 0 },
        { agentId: 'b', waiting: 5, delayed: 0, active: 1, requiresAction: 2 },
      ]),
    ).toEqual({ waiting: 7, delayed: 1, active: 4, requiresAction: 2 });
    expect(totalDepth([])).toEqual({ waiting: 0, delayed: 0, active: 0, requiresAction: 0 });
  });

  it('lists every minute of the window, zero where nothing ended', () => {
    const since = new Date('2026-12-07T10:00:00Z');
    const now = new Date('2026-12-07T10:03:30Z');
    const minutes = everyMinute(
      [{ minute: new Date('2026-12-07T10:02:00Z'), succeeded: 4, failed: 1, cancelled: 0 }],
      since,
      now,
    );
    expect(minutes.map((m) => m.minute.toISOString().slice(11, 16))).toEqual([
      '10:00',
      '10:01',
      '10:02',
      '10:03',
    ]);
    expect(minutes[2]).toMatchObject({ succeeded: 4, failed: 1, cancelled: 0 });
    expect(totalFinished(minutes)).toEqual({ succeeded: 4, failed: 1, cancelled: 0 });
  });
});
