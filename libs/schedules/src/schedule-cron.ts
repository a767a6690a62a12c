import { CronExpression, CronExpressionParser } from 'cron-parser';

/** Why a cron expression or time zone was refused; the API answers 422 with it. */
export class ScheduleCronError extends Error {
  constructor(
    readonly field: 'cron' | 'timezone',
    message: string,
  ) {
    super(message);
    this.name = ScheduleCronError.name;
  }
}

export interface CronSpec {
  cron: string;
  timezone: string;
}

// A cron with a seconds field of several values fires more than once a minute.
function firesMoreThanOncePerMinute(expression: CronExpression): boolean {
  return expression.fields.second.values.length > 1;
}

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a cron expression (5 fields, or 6 with seconds first) and an IANA time zone.
 * Unless `allowSeconds`, a schedule fires at most once a minute.
 * @throws ScheduleCronError
 */
export function assertValidCron(spec: CronSpec, allowSeconds: boolean): void {
  if (!isTimeZone(spec.timezone)) {
    throw new ScheduleCronError('timezone', `${spec.timezone} is not an IANA time zone`);
  }
  const fields = spec.cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new ScheduleCronError(
      'cron',
      `expected 5 fields (minute hour day month weekday), or 6 with seconds first; got ${fields}`,
    );
  }
  const expression = parse(spec, new Date());
  if (!allowSeconds && firesMoreThanOncePerMinute(expression)) {
    throw new ScheduleCronError(
      'cron',
      'this expression fires more than once a minute; schedules fire at most once a minute',
    );
  }
}

function parse(spec: CronSpec, after: Date): CronExpression {
  try {
    return CronExpressionParser.parse(spec.cron, {
      currentDate: after,
      tz: spec.timezone,
      strict: false,
    });
  } catch (error) {
    throw new ScheduleCronError('cron', (error as Error).message);
  }
}

/**
 * The first fire time strictly after `after`, within [startAt, endAt], or null when there is
 * none. Daylight-saving transitions are the cron library's (cron-parser with luxon): a local
 * time that does not exist on a spring-forward day fires at the same wall-clock offset after the
 * gap (02:30 in Europe/Paris fires at 03:30), and a local time that happens twice on a fall-back
 * day fires once, at its first occurrence; an hourly schedule fires every real hour.
 */
export function nextFireTime(
  spec: CronSpec & { startAt: Date | null; endAt: Date | null },
  after: Date,
): Date | null {
  // startAt is inclusive: look from just before it.
  const from =
    spec.startAt && spec.startAt.getTime() > after.getTime()
      ? new Date(spec.startAt.getTime() - 1)
      : after;
  const expression = parse(spec, from);
  if (!expression.hasNext()) return null;
  const next = expression.next().toDate();
  if (spec.endAt && next.getTime() > spec.endAt.getTime()) return null;
  return next;
}

/** Every fire time in (after, until], at most `limit` of them: for tests and previews. */
export function fireTimesBetween(
  spec: CronSpec & { startAt: Date | null; endAt: Date | null },
  after: Date,
  until: Date,
  limit = 10_000,
): Date[] {
  const times: Date[] = [];
  let cursor: Date | null = after;
  while (times.length < limit) {
    cursor = nextFireTime(spec, cursor);
    if (!cursor || cursor.getTime() > until.getTime()) break;
    times.push(cursor);
  }
  return times;
}
