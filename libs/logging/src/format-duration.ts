const UNITS = [
  { ms: 86_400_000, one: 'day', many: 'days' },
  { ms: 3_600_000, one: 'h', many: 'h' },
  { ms: 60_000, one: 'min', many: 'min' },
  { ms: 1_000, one: 's', many: 's' },
];

/**
 * A duration as a person would write it in a log line or an error message: the largest unit
 * that fits, to one decimal at most (`250 ms`, `5 s`, `1.5 min`, `2 h`, `1 day`, `3 days`).
 */
export function formatDuration(ms: number): string {
  const unit = UNITS.find((candidate) => Math.abs(ms) >= candidate.ms);
  if (!unit) return `${Math.round(ms)} ms`;
  const value = Math.round((ms / unit.ms) * 10) / 10;
  return `${value} ${value === 1 ? unit.one : unit.many}`;
}
