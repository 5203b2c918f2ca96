import { isIPv4, isIPv6 } from 'node:net';

/**
 * The string formats the apiserver checks in custom resources (apiextensions-apiserver's
 * supported formats, validated by go-openapi's strfmt). A format outside this list (`int32`,
 * `int64`, `float`, `double`, anything else) is not checked, as there. Names are matched as strfmt
 * matches them: case-insensitive, without `-` or `_` (`date-time` is `datetime`).
 */
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const HOSTNAME = /^(?=.{1,255}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const MAC = /^(?:[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){7}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){19}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){2}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){3}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){9})$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_COLOR = /^#?(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const OCTET = '(?:0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])';
const RGB_COLOR = new RegExp(`^rgb\\(\\s*${OCTET}\\s*,\\s*${OCTET}\\s*,\\s*${OCTET}\\s*\\)$`);
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const BSON_OBJECT_ID = /^[0-9a-f]{24}$/i;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** RFC 3339 date-time and the variants strfmt also parses (no colon in the offset, no offset at all, a space for the T). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;
/** Go's time.ParseDuration (`1h30m`, `-1.5s`, `0`) … */
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
/** … or strfmt's own `<number> <unit>` (`22 ns`, `3 days`). */
const UNIT_DURATION = /^\d+\s*(?:ns|nanos?|nanoseconds?|us|micros?|microseconds?|ms|millis?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|hrs?|d|days?|w|wks?|weeks?)$/;

function validCalendarDate(year: string, month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
}

function isbn10(text: string): boolean {
  if (!/^[0-9]{9}[0-9X]$/.test(text)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (text[i] === 'X' ? 10 : Number(text[i])) * (10 - i);
  return sum % 11 === 0;
}

function isbn13(text: string): boolean {
  if (!/^[0-9]{13}$/.test(text)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(text[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

const withoutSeparators = (text: string) => text.replace(/[\s-]/g, '');

const CHECKS: Record<string, (value: string) => boolean> = {
  bsonobjectid: (v) => BSON_OBJECT_ID.test(v),
  // Go's url.ParseRequestURI: an absolute URI, or an absolute path.
  uri: (v) => (v.startsWith('/') ? !/\s/.test(v) : /^[a-z][a-z0-9+.-]*:/i.test(v) && URL.canParse(v)),
  email: (v) => EMAIL.test(v),
  hostname: (v) => HOSTNAME.test(v),
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  cidr: (v) => {
    const [ip, bits, ...rest] = v.split('/');
    if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    if (isIPv4(ip!)) return Number(bits) <= 32;
    return isIPv6(ip!) && Number(bits) <= 128;
  },
  mac: (v) => MAC.test(v),
  uuid: (v) => UUID.test(v),
  uuid3: (v) => UUID3.test(v),
  uuid4: (v) => UUID4.test(v),
  uuid5: (v) => UUID5.test(v),
  isbn: (v) => isbn10(withoutSeparators(v)) || isbn13(withoutSeparators(v)),
  isbn10: (v) => isbn10(withoutSeparators(v)),
  isbn13: (v) => isbn13(withoutSeparators(v)),
  creditcard: (v) => CREDIT_CARD.test(v.replace(/\D/g, '')),
  ssn: (v) => SSN.test(v),
  hexcolor: (v) => HEX_COLOR.test(v),
  rgbcolor: (v) => RGB_COLOR.test(v),
  byte: (v) => BASE64.test(v),
  password: () => true,
  date: (v) => {
    const match = FULL_DATE.exec(v);
    return match !== null && validCalendarDate(match[1]!, match[2]!, match[3]!);
  },
  duration: (v) => GO_DURATION.test(v) || UNIT_DURATION.test(v),
  datetime: (v) => {
    const match = DATE_TIME.exec(v);
    return match !== null && validCalendarDate(match[1]!, match[2]!, match[3]!) && Number(match[4]) < 24 && Number(match[5]) < 60 && Number(match[6]) < 61;
  },
};

/** Whether `value` is a valid string of `format`; true for a format the apiserver does not check. */
export function matchesFormat(format: string, value: string): boolean {
  const check = CHECKS[format.toLowerCase().replace(/[-_]/g, '')];
  return check === undefined || check(value);
}
