// Array parameters in PostgreSQL's binary format. node-pg sends a Buffer parameter as binary (format 1) and
// everything else as text; a text-format array literal makes the server parse every element character by
// character with quote and backslash escapes (array_in), and node-pg escape every element with two regular
// expressions first. For span writes — kilobytes of JSON per span in the attributes, inputs and outputs
// columns — that parsing measured as a tenth of PostgreSQL's CPU; in binary each element is a length and
// its bytes (array_recv).

export const TEXT_OID = 25;
export const JSONB_OID = 3802;

/**
 * A one-dimensional text[] (or, with JSONB_OID, jsonb[] of JSON texts) in array_send's format: ndim, has-null
 * flag, element type, then (length, lower bound 1), then each element as int32 length (-1 for NULL) and bytes
 * (a jsonb element is its format version, 1, and the JSON text). The parameter's type must be exactly that
 * array type: the server checks the element type.
 */
export function binaryTextArray(values: readonly (string | null | undefined)[], elementOid: typeof TEXT_OID | typeof JSONB_OID = TEXT_OID): Buffer {
  const jsonb = elementOid === JSONB_OID ? 1 : 0;
  const n = values.length;
  if (n === 0) {
    const empty = Buffer.allocUnsafe(12);
    empty.writeInt32BE(0, 0);
    empty.writeInt32BE(0, 4);
    empty.writeUInt32BE(elementOid, 8);
    return empty;
  }
  const lengths = new Int32Array(n);
  let size = 20;
  let hasNull = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      lengths[i] = -1;
      hasNull = 1;
      size += 4;
    } else {
      const len = Buffer.byteLength(v, "utf8") + jsonb;
      lengths[i] = len;
      size += 4 + len;
    }
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(hasNull, 4);
  buf.writeUInt32BE(elementOid, 8);
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16);
  let o = 20;
  for (let i = 0; i < n; i++) {
    const len = lengths[i];
    buf.writeInt32BE(len, o);
    o += 4;
    if (len < 0) continue;
    if (jsonb) buf[o++] = 1;
    o += buf.write(values[i] as string, o, "utf8");
  }
  return buf;
}
