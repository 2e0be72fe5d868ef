/** Go's time.ParseDuration, which GoTrue applies to `ban_duration` ("24h", "1h30m", "none" aside), and its error text. */

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds; throws Go's `time: invalid duration "x"` (or `missing unit`) for what Go refuses. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*\.?\d*)/.exec(rest)![1]!;
    if (number === '' || number === '.') throw invalid();
    rest = rest.slice(number.length);
    const unit = /^([^\d.]+)/.exec(rest)?.[1];
    if (!unit) throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    if (!(unit in UNITS)) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    total += Number(number) * UNITS[unit]!;
    rest = rest.slice(unit.length);
  }
  return sign * total;
}
