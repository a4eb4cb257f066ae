/** An instant parsed from ISO 8601 text, to the microsecond. */
export interface ParsedTimestamp {
  /** Milliseconds since the epoch (sub-millisecond digits truncated): a Date's value. */
  millis: number;
  /** Microseconds since the epoch (sub-microsecond digits truncated): a TIMESTAMP_MICROS value. */
  micros: bigint;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date or date-time: `2026-11-26`, `2026-11-26T10:00`, `2026-11-26T10:00:00Z`,
 * `2026-11-26T10:00:00.123456+01:00`. Without a zone the time is UTC: the machine's time zone
 * must not change what a query means. `Date.parse` is not used because it reads zone-less
 * date-times as local time and drops microseconds.
 *
 * @returns the instant, or undefined when `text` is not such a timestamp or names an impossible date
 */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Dates roll 2026-02-30 over into March: reject dates that do not survive the round trip.
  if (date.getUTCDate() !== day) return undefined;
  const base = date.getTime();
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  const seconds = base - offsetMinutes * 60_000;
  const fractionMicros = BigInt(fraction.padEnd(6, '0').slice(0, 6));
  const micros = BigInt(seconds) * 1000n + fractionMicros;
  return { millis: seconds + Number(fractionMicros / 1000n), micros };
}
