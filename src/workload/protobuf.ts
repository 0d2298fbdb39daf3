/**
 * The slice of the protobuf wire format that ONNX files need: varints, length-delimited fields
 * and fixed32. Hand-written because we write a handful of message types and read only graph
 * inputs/outputs; a general protobuf library would bring a schema compiler for no gain.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Builds one message; nested messages are built by their own writer and embedded whole. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.chunks.push(encodeVarint(value));
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.chunks.push(encodeVarint(data.length), data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, Buffer.from(text, 'utf8'));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.chunks.push(b);
    return this;
  }

  packedInts(field: number, values: readonly number[]): this {
    return this.bytes(field, Buffer.concat(values.map((v) => encodeVarint(v))));
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  private tag(field: number, wire: number): void {
    this.chunks.push(encodeVarint(field * 8 + wire));
  }
}

/** int64 fields are two's complement on the wire, so negative values take ten bytes. */
function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

export type ProtoField =
  | { field: number; wire: 'varint'; value: bigint }
  | { field: number; wire: 'bytes'; value: Uint8Array }
  | { field: number; wire: 'fixed'; value: Uint8Array };

/** Thrown for bytes that are not a well-formed protobuf message; callers word it for the user. */
export class ProtoDecodeError extends Error {}

/** Iterates the fields of one message without copying: `bytes` values are views into `buf`. */
export function* readFields(buf: Uint8Array): Generator<ProtoField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new ProtoDecodeError(`varint runs past the end at byte ${pos}`);
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtoDecodeError(`varint longer than 10 bytes at byte ${pos}`);
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > buf.length) throw new ProtoDecodeError(`field of ${n} bytes runs past the end at byte ${pos}`);
    const view = buf.subarray(pos, pos + n);
    pos += n;
    return view;
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError(`field number 0 at byte ${pos}`);
    switch (wire) {
      case WIRE_VARINT:
        yield { field, wire: 'varint', value: varint() };
        break;
      case WIRE_FIXED64:
        yield { field, wire: 'fixed', value: take(8) };
        break;
      case WIRE_LEN:
        yield { field, wire: 'bytes', value: take(Number(varint())) };
        break;
      case WIRE_FIXED32:
        yield { field, wire: 'fixed', value: take(4) };
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wire} at byte ${pos}`);
    }
  }
}

/** Reads an int64 varint as a signed JS number (ONNX dims and enums fit in 53 bits). */
export function toSignedNumber(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
