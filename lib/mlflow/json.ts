// JSON that keeps 64-bit integers exact in both directions (spec §1.4): nanosecond timestamps are about
// 1.7e18, far above Number.MAX_SAFE_INTEGER, and clients send and expect them as bare JSON integers.
import { parse as parseLossless } from "lossless-json";
import { randomBytes } from "node:crypto";

const INTEGER = /^-?\d+$/;
// Only documents with a run of 16+ digits can hold an unsafe integer; the rest take the native parser.
const LONG_DIGITS = /\d{16}/;

function parseNumber(text: string): number | bigint {
  if (INTEGER.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** JSON.parse, except that integers outside the safe range come back as bigint. Throws SyntaxError. */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return parseLossless(text, null, parseNumber);
}

// bigint values are written as a marker string by the native serializer, then the marker (quotes
// included) is replaced by the bare digits. The nonce makes a collision with user data impossible in practice.
const NONCE = randomBytes(6).toString("hex");
const MARK = `\u0000${NONCE}:`;
const MARK_RE = new RegExp(`"\\\\u0000${NONCE}:(-?\\d+)"`, "g");

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? MARK + value.toString() : value;
}

/** JSON.stringify that writes bigint values as exact bare integers. */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value, replacer);
  return text.includes(NONCE) ? text.replace(MARK_RE, "$1") : text;
}
