// Certificate validity times (RFC 5280 4.1.2.5) to seconds since 1970-01-01T00:00:00Z.
// UTCTime YYMMDDHHMMSSZ (YY >= 50 is 19YY, else 20YY) and GeneralizedTime YYYYMMDDHHMMSSZ;
// both in UTC ("Z") with seconds and without fractions, as RFC 5280 requires.

// Returned for a malformed time.
export const TIME_BAD: i64 = i64.MIN_VALUE;

// @ts-ignore: decorator
@lazy const DAYS_IN_MONTH = memory.data<u8>([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

// The two decimal digits at p, or -1.
function two(p: usize): i32 {
  const a = <i32>load<u8>(p) - 0x30, b = <i32>load<u8>(p + 1) - 0x30;
  if (<u32>a > 9 || <u32>b > 9) return -1;
  return a * 10 + b;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian, y >= 0).
export function daysFromCivil(y: i32, m: i32, d: i32): i64 {
  if (m <= 2) y--;
  const era = y / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return <i64>era * 146097 + <i64>doe - 719468;
}

// tag 0x17 (UTCTime) or 0x18 (GeneralizedTime), content at p (len bytes).
export function derTimeToSeconds(tag: i32, p: usize, len: i32): i64 {
  let year: i32;
  if (tag == 0x17 && len == 13) {
    const yy = two(p);
    if (yy < 0) return TIME_BAD;
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p += 2;
  } else if (tag == 0x18 && len == 15) {
    const hi = two(p), lo = two(p + 2);
    if (hi < 0 || lo < 0) return TIME_BAD;
    year = hi * 100 + lo;
    p += 4;
  } else {
    return TIME_BAD;
  }
  const mon = two(p), day = two(p + 2), hour = two(p + 4), min = two(p + 6), sec = two(p + 8);
  if (load<u8>(p + 10) != 0x5a) return TIME_BAD; // 'Z'
  if (mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) return TIME_BAD;
  const leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > <i32>load<u8>(DAYS_IN_MONTH + <usize>(mon - 1)) + (mon == 2 && leap ? 1 : 0)) return TIME_BAD;
  return daysFromCivil(year, mon, day) * 86400 + <i64>(hour * 3600 + min * 60 + sec);
}
