import { SerdeError } from '@weir/core';
import type avro from 'avsc';
import { expectedValue, preview } from './describe.js';
import { logicalRefusal } from './logical-types.js';

/** What avsc's `createResolver` returns: opaque, passed back to `decode`. */
export type Resolver = ReturnType<avro.Type['createResolver']>;

/** A Uint8Array as a Buffer over the same memory: avsc reads through Buffer methods. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** `['items', '3', 'price']` as `items[3].price`: avsc gives array indices as strings too. */
function fieldPath(path: readonly string[]): string {
  return path.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** The first invalid part of `value`, as `field "a.b" expects long (bigint), got 1 (number)`. */
function explainInvalid(type: avro.Type, value: unknown): string | undefined {
  let found: string | undefined;
  type.isValid(value, {
    errorHook(path: string[], any: unknown, invalid: avro.Type) {
      // The hook fires for every enclosing level too; the first report is the innermost.
      if (found !== undefined) return;
      const where = path.length === 0 ? 'the value' : `field "${fieldPath(path)}"`;
      const refusal = logicalRefusal(invalid, any);
      found = `${where} expects ${expectedValue(invalid)}, got ${preview(any)}${refusal === undefined ? '' : ` (${refusal})`}`;
    },
  });
  return found;
}

/**
 * Encodes `value` with `type`, or throws a SerdeError saying which field is wrong and why.
 * @param label the serde's name, first in the message
 */
export function encode(label: string, type: avro.Type, topic: string, value: unknown): Buffer {
  try {
    return type.toBuffer(value);
  } catch (cause) {
    const why = explainInvalid(type, value) ?? (cause as Error).message;
    throw new SerdeError(`${label} cannot serialize a value for topic "${topic}": ${why}`, {
      cause,
      context: { topic },
    });
  }
}

/**
 * The SerdeError for bytes that cannot be read:
 * `Avro serde cannot deserialize 3 bytes from topic "orders" (schema id 7): truncated: ...`.
 */
export function deserializeError(
  label: string,
  topic: string,
  byteLength: number,
  reason: string,
  what?: string,
  cause?: unknown,
): SerdeError {
  const about = what === undefined ? '' : ` (${what})`;
  return new SerdeError(`${label} cannot deserialize ${byteLength} bytes from topic "${topic}"${about}: ${reason}`, {
    cause,
    context: { topic },
  });
}

/**
 * Decodes the value starting at `offset` and ending exactly at the end of `data`.
 * @param what describes the bytes in the message: `"schema id 7"`, or `undefined`
 * @throws SerdeError naming the topic, the byte length and what is wrong
 */
export function decode(
  label: string,
  type: avro.Type,
  resolver: Resolver | undefined,
  topic: string,
  data: Buffer,
  offset: number,
  what?: string,
): unknown {
  const fail = (reason: string, cause?: unknown): SerdeError =>
    deserializeError(label, topic, data.byteLength, reason, what, cause);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(data, offset, resolver);
  } catch (cause) {
    throw fail((cause as Error).message, cause);
  }
  if (decoded.offset < 0) throw fail('truncated: the bytes end before the Avro value does');
  if (decoded.offset < data.byteLength) {
    throw fail(`${data.byteLength - decoded.offset} trailing bytes after the Avro value (wrong schema?)`);
  }
  return decoded.value;
}
