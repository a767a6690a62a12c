const SECONDS = /^\d+(\.\d+)?$/;
// Every HTTP-date form starts with a day name; Date.parse alone would read "-5" as a year.
const HTTP_DATE = /^[A-Za-z]{3}/;

/**
 * How long the provider asks us to wait, from `retry-after-ms` (OpenAI) or `retry-after`
 * (seconds or an HTTP date). Undefined when neither header gives a usable value.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const milliseconds = headers?.get('retry-after-ms')?.trim();
  if (milliseconds && SECONDS.test(milliseconds)) return Math.ceil(Number(milliseconds));

  const retryAfter = headers?.get('retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (SECONDS.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
  const date = HTTP_DATE.test(retryAfter) ? Date.parse(retryAfter) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
