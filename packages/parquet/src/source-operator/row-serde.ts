import { type Serde, SerdeError } from '@weir/core';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Rows hold bigint (INT64, TIMESTAMP_MICROS) and Date (TIMESTAMP_MILLIS, DATE) values, which plain
// JSON loses; they are written as one-key objects and read back as the same types.
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === 'bigint') return { $bigint: raw.toString() };
  if (raw instanceof Date) return { $date: raw.getTime() };
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const v = value as Record<string, unknown>;
  if (typeof v.$bigint === 'string') return BigInt(v.$bigint);
  if (typeof v.$date === 'number') return new Date(v.$date);
  if (typeof v.$bytes === 'string') return new Uint8Array(Buffer.from(v.$bytes, 'base64'));
  return value;
}

/**
 * The default serde of Parquet source keys and values (used when records are repartitioned or
 * dead-lettered): JSON that keeps `bigint`, `Date` and byte values as their types
 * (`{"$bigint":"12"}`, `{"$date":1764115200000}`, `{"$bytes":"AQI="}`), so a row read back equals
 * the row read from the file.
 */
export function parquetRowSerde<T>(): Serde<T> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        return encoder.encode(JSON.stringify(data, replacer));
      } catch (cause) {
        throw new SerdeError(`Parquet row serde cannot serialize value: ${(cause as Error).message}`, { cause, context: { topic } });
      }
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null as T;
      try {
        return JSON.parse(decoder.decode(data), reviver) as T;
      } catch (cause) {
        throw new SerdeError(`Parquet row serde cannot parse ${data.byteLength} bytes: ${(cause as Error).message}`, { cause, context: { topic } });
      }
    },
  };
}
