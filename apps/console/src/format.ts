// Pure formatting and arithmetic for the pages; unit-tested (format.spec.ts).

/** USD as the API gives it (a decimal string), cut to `places` without going through a float. */
export function formatUsd(amount: string | null | undefined, places = 6): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const digits = fraction.padEnd(places, '0').slice(0, places);
  return `${negative ? '-' : ''}$${Number(whole).toLocaleString('en-US')}${places > 0 ? `.${digits}` : ''}`;
}

/** Exact sum of decimal strings in micro-units of 1e-9 (the API's scale), as a decimal string. */
export function sumUsd(amounts: string[]): string {
  const SCALE = 9;
  let total = 0n;
  for (const amount of amounts) {
    const negative = amount.startsWith('-');
    const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
    const value =
      BigInt(whole || '0') * 10n ** BigInt(SCALE) +
      BigInt(fraction.padEnd(SCALE, '0').slice(0, SCALE) || '0');
    total += negative ? -value : value;
  }
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const text = magnitude.toString().padStart(SCALE + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -SCALE)}.${text.slice(-SCALE)}`;
}

export function formatTokens(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

/** RFC 4180 CSV: fields with a comma, quote or line break quoted, quotes doubled. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const field = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** How much of a budget is spent, in percent with one decimal, from exact decimal strings. */
export function spentPercent(spent: string, limit: string): number {
  const scale = (value: string) => Number(sumUsd([value]).replace('.', ''));
  const whole = scale(limit);
  return whole === 0 ? 0 : Math.round((scale(spent) / whole) * 1000) / 10;
}

/** Query-string filters of a page as the URL carries them (linkable), without empty values. */
export function filtersToSearch(filters: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
