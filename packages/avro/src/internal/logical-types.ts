import avro from 'avsc';
import { isLong } from './long-type.js';
import {
  digitCount,
  formatDecimal,
  fromTwosComplement,
  maxPrecisionOfFixed,
  parseDecimal,
  toTwosComplement,
} from './decimal.js';

/**
 * The logical types Weir maps, as avsc `LogicalType` subclasses. Representations (the table of
 * every type is in ../index.ts):
 *
 * | logical type       | underlying        | JS value                                   |
 * |--------------------|-------------------|--------------------------------------------|
 * | `timestamp-millis` | long              | `Date` (exact: a Date is milliseconds)     |
 * | `timestamp-micros` | long              | `bigint` microseconds since the epoch      |
 * | `date`             | int               | `Date` at UTC midnight                     |
 * | `decimal`          | bytes or fixed    | `string` with exactly `scale` fraction digits |
 * | `uuid`             | string or fixed16 | `string` (`8-4-4-4-12` hex)                |
 *
 * A constructor that throws makes avsc fall back to the underlying type, which is what the Avro
 * spec asks of an invalid logical type (a decimal whose scale exceeds its precision, ...).
 *
 * `_resolve(writerType)` decides what this reader accepts from a writer and returns the
 * conversion from the writer's decoded value. It must agree with `checkCompatible`.
 */

type Schema = Record<string, unknown>;
type AvscSchema = ConstructorParameters<typeof avro.types.LogicalType>[0];
type Resolve = ((value: unknown) => unknown) | undefined;

/*
 * On truncated bytes avsc keeps reading past the end and the underlying value comes back
 * `undefined`; the decoder reports the truncation once the read is over, so a conversion must
 * not throw its own, misleading, error first. Each `_fromValue` therefore lets `undefined` through.
 */

const identity = (value: unknown): unknown => value;
const MS_PER_DAY = 86_400_000;
// ECMAScript's Date range: +-100,000,000 days around the epoch.
const MAX_DATE_MS = 8.64e15;

function underlyingName(type: avro.Type): string {
  return type.typeName === 'abstract:long' ? 'long' : type.typeName;
}

function dateFromMillis(ms: number): Date {
  if (!(Math.abs(ms) <= MAX_DATE_MS)) throw new Error(`${ms} ms since the epoch is outside the range of a Date`);
  return new Date(ms);
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** `timestamp-millis` on a long, as a `Date`. */
export class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): Date | undefined {
    return value === undefined ? undefined : dateFromMillis(Number(value));
  }
  protected override _toValue(value: unknown): bigint {
    if (!isValidDate(value)) throw new Error('timestamp-millis expects a valid Date');
    return BigInt(value.getTime());
  }
  protected override _resolve(writer: avro.Type): Resolve {
    if (writer instanceof TimestampMillisType) return identity;
    // Annotating an existing long (or int) with the logical type keeps its meaning; a change of
    // unit (micros -> millis) does not, as spec readers ignore logical types when resolving.
    const name = underlyingName(writer);
    if (name === 'long' || name === 'int') return (v) => this._fromValue(v);
    return undefined;
  }
}

/** `timestamp-micros` on a long, as a `bigint` of microseconds: a Date would drop the micros. */
export class TimestampMicrosType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): bigint | undefined {
    return value === undefined ? undefined : BigInt(value as bigint | number);
  }
  protected override _toValue(value: unknown): bigint {
    if (!isLong(value)) throw new Error('timestamp-micros expects a bigint of microseconds since the epoch');
    return value;
  }
  protected override _resolve(writer: avro.Type): Resolve {
    if (writer instanceof TimestampMicrosType) return identity;
    const name = underlyingName(writer);
    if (name === 'long' || name === 'int') return (v) => this._fromValue(v);
    return undefined;
  }
}

/** `date` on an int (days since 1970-01-01), as a `Date` at UTC midnight. */
export class DateType extends avro.types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema as AvscSchema, opts);
    if (this.underlyingType.typeName !== 'int') throw new Error('date must annotate an int');
  }
  protected override _fromValue(value: unknown): Date | undefined {
    return value === undefined ? undefined : dateFromMillis((value as number) * MS_PER_DAY);
  }
  protected override _toValue(value: unknown): number {
    if (!isValidDate(value)) throw new Error('date expects a valid Date');
    const ms = value.getTime();
    // A time of day would be dropped silently; local midnight is the usual mistake.
    if (ms % MS_PER_DAY !== 0) throw new Error('it has a time of day, which a date would drop');
    return ms / MS_PER_DAY;
  }
  protected override _resolve(writer: avro.Type): Resolve {
    if (writer instanceof DateType) return identity;
    if (writer.typeName === 'int') return (v) => this._fromValue(v);
    return undefined;
  }
}

/** `decimal` on bytes or fixed, as a `string` such as `"-12.50"`: no float ever holds it. */
export class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;
  private readonly size: number | undefined;

  constructor(schema: Schema, opts?: unknown) {
    super(schema as AvscSchema, opts);
    const { precision, scale = 0 } = schema;
    if (!Number.isInteger(precision) || (precision as number) < 1) throw new Error('decimal needs a precision >= 1');
    if (!Number.isInteger(scale) || (scale as number) < 0 || (scale as number) > (precision as number)) {
      throw new Error('decimal needs 0 <= scale <= precision');
    }
    const underlying = this.underlyingType;
    if (underlying instanceof avro.types.FixedType) {
      if ((precision as number) > maxPrecisionOfFixed(underlying.size)) {
        throw new Error(`decimal precision ${precision} does not fit fixed(${underlying.size})`);
      }
      this.size = underlying.size;
    } else if (underlying.typeName !== 'bytes') {
      throw new Error('decimal must annotate bytes or fixed');
    }
    this.precision = precision as number;
    this.scale = scale as number;
  }
  protected override _fromValue(value: unknown): string | undefined {
    return value === undefined ? undefined : formatDecimal(fromTwosComplement(value as Buffer), this.scale);
  }
  protected override _toValue(value: unknown): Buffer {
    if (typeof value !== 'string') throw new Error(`decimal(${this.precision},${this.scale}) expects a string`);
    const unscaled = parseDecimal(value, this.scale);
    if (digitCount(unscaled) > this.precision) {
      throw new Error(`${JSON.stringify(value)} exceeds decimal(${this.precision},${this.scale})`);
    }
    return toTwosComplement(unscaled, this.size);
  }
  protected override _export(schema: AvscSchema): void {
    // avsc hands the exported schema object of this type to fill in.
    Object.assign(schema as object, { precision: this.precision, scale: this.scale });
  }
  protected override _resolve(writer: avro.Type): Resolve {
    // Same scale, so the same digits; a wider precision holds every old value. Plain bytes
    // carry no scale and are refused.
    if (writer instanceof DecimalType && writer.scale === this.scale && writer.precision <= this.precision) {
      return identity;
    }
    return undefined;
  }
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `uuid` on a string (or a 16-byte fixed, Avro 1.12), as the usual hex `string`. */
export class UuidType extends avro.types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema as AvscSchema, opts);
    const underlying = this.underlyingType;
    const ok =
      underlying.typeName === 'string' || (underlying instanceof avro.types.FixedType && underlying.size === 16);
    if (!ok) throw new Error('uuid must annotate a string or a fixed of size 16');
  }
  protected override _fromValue(value: unknown): string | undefined {
    if (value === undefined || typeof value === 'string') return value;
    return uuidFromBytes(value as Buffer);
  }
  protected override _toValue(value: unknown): string | Buffer {
    if (typeof value !== 'string' || !UUID_TEXT.test(value)) {
      throw new Error(`uuid expects a string like "123e4567-e89b-12d3-a456-426614174000"`);
    }
    // On a string the text is kept as given, so it reads back identical.
    return this.underlyingType.typeName === 'string' ? value : Buffer.from(value.replaceAll('-', ''), 'hex');
  }
  protected override _resolve(writer: avro.Type): Resolve {
    if (writer instanceof UuidType) return identity;
    if (writer.typeName === 'string' && this.underlyingType.typeName === 'string') return identity;
    return undefined;
  }
}

/** Why a Weir logical type refuses `value`, or `undefined` when it is not one of them or accepts it. */
export function logicalRefusal(type: avro.Type, value: unknown): string | undefined {
  if (!(type instanceof avro.types.LogicalType)) return undefined;
  try {
    (type as unknown as { _toValue(value: unknown): unknown })._toValue(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Logical types avsc builds through its `logicalTypes` option (the long-based ones go through the type hook). */
export const LOGICAL_TYPES = { date: DateType, decimal: DecimalType, uuid: UuidType } as const;

/** Logical types on a long, built by the type hook so that their underlying long is a bigint. */
export const LONG_LOGICAL_TYPES = {
  'timestamp-millis': TimestampMillisType,
  'timestamp-micros': TimestampMicrosType,
} as const;
