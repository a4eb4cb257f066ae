import { SerdeError } from '../errors.js';
import type { Serde } from './serde.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function sizeError(topic: string, type: string, expected: number, actual: number): SerdeError {
  return new SerdeError(`${type} serde expects ${expected} bytes but got ${actual}`, { context: { topic } });
}

function fixedWidth<T>(
  type: string,
  width: number,
  write: (view: DataView, value: T) => void,
  read: (view: DataView) => T,
  /** Whether a value fits; DataView would silently wrap or truncate one that does not. */
  fits: (value: T) => boolean = () => true,
): Serde<T> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (!fits(data)) {
        throw new SerdeError(`${type} serde cannot serialize ${String(data)}: not a ${width * 8}-bit integer`, { context: { topic } });
      }
      const bytes = new Uint8Array(width);
      write(new DataView(bytes.buffer), data);
      return bytes;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.byteLength !== width) throw sizeError(topic, type, width, data.byteLength);
      return read(new DataView(data.buffer, data.byteOffset, data.byteLength));
    },
  };
}

const stringSerde: Serde<string> = {
  serialize(_topic, data) {
    return data === null || data === undefined ? null : encoder.encode(data);
  },
  deserialize(topic, data) {
    if (data === null || data === undefined) return null;
    try {
      return decoder.decode(data);
    } catch (cause) {
      throw new SerdeError(`String serde found invalid UTF-8 (${data.byteLength} bytes)`, { cause, context: { topic } });
    }
  },
};

const int32Serde = fixedWidth<number>(
  'Int32',
  4,
  (v, x) => v.setInt32(0, x),
  (v) => v.getInt32(0),
  (x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31,
);
const int64Serde = fixedWidth<bigint>(
  'Int64',
  8,
  (v, x) => v.setBigInt64(0, BigInt(x)),
  (v) => v.getBigInt64(0),
  (x) => BigInt.asIntN(64, BigInt(x)) === BigInt(x),
);
const doubleSerde = fixedWidth<number>(
  'Double',
  8,
  (v, x) => v.setFloat64(0, x),
  (v) => v.getFloat64(0),
);

const bytesSerde: Serde<Uint8Array> = {
  serialize: (_topic, data) => data ?? null,
  deserialize: (_topic, data) => data ?? null,
};

const voidSerde: Serde<null> = {
  serialize: () => null,
  deserialize(topic, data) {
    if (data !== null && data !== undefined && data.byteLength > 0) {
      throw new SerdeError(`Void serde expects no bytes but got ${data.byteLength}`, { context: { topic } });
    }
    return null;
  },
};

/**
 * JSON serde: UTF-8 JSON text. BigInt values are written as JSON numbers' text is not
 * lossless for them, so they are refused: use `Serdes.Int64()` or Avro for 64-bit integers.
 */
function jsonSerde<T>(): Serde<T> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        return encoder.encode(JSON.stringify(data));
      } catch (cause) {
        throw new SerdeError(`JSON serde cannot serialize value: ${(cause as Error).message}`, {
          cause,
          context: { topic },
        });
      }
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      let text: string;
      try {
        text = decoder.decode(data);
        return JSON.parse(text) as T;
      } catch (cause) {
        const preview = Buffer.from(data.subarray(0, 40)).toString('latin1');
        throw new SerdeError(`JSON serde cannot parse ${data.byteLength} bytes starting ${JSON.stringify(preview)}`, {
          cause,
          context: { topic },
        });
      }
    },
  };
}

/** The built-in serdes, named as in Kafka Streams' `Serdes`. */
export const Serdes = {
  /** UTF-8 strings. */
  String: (): Serde<string> => stringSerde,
  /** Any JSON-serializable value, as UTF-8 JSON text. */
  Json: <T>(): Serde<T> => jsonSerde<T>(),
  /** 32-bit signed integers, big-endian (Kafka's IntegerSerializer). */
  Int32: (): Serde<number> => int32Serde,
  /** 64-bit signed integers as `bigint`, big-endian (Kafka's LongSerializer). */
  Int64: (): Serde<bigint> => int64Serde,
  /** IEEE 754 doubles, big-endian (Kafka's DoubleSerializer). */
  Double: (): Serde<number> => doubleSerde,
  /** Raw bytes, passed through. */
  Bytes: (): Serde<Uint8Array> => bytesSerde,
  /** No value at all: serializes to `null` (Kafka's VoidSerde). */
  Void: (): Serde<null> => voidSerde,
} as const;
