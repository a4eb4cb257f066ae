import type { Column, TableSchema } from '@weir/avro';

/**
 * Reads a value written as column `from` as column `to`, for the changes `evolveColumns` allows:
 * numeric widening (INT32 to INT64 becomes a bigint, integers to FLOAT or DOUBLE a number),
 * nullability, decimal precision (same scale: the string is unchanged), and the same inside
 * records (fields added since read as null, dropped fields disappear), list elements and map
 * values.
 */
export function evolveValue(from: Column, to: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const source = from.type;
  const target = to.type;
  if (typeof source === 'string' || typeof target === 'string') {
    if (source === target) return value;
    if (target === 'INT64') return BigInt(value as number);
    if (target === 'FLOAT' || target === 'DOUBLE') return Number(value as number | bigint);
    return value;
  }
  if (source.kind === 'record' && target.kind === 'record') {
    return evolveRecord(source.fields, target.fields, value as Record<string, unknown>);
  }
  if (source.kind === 'list' && target.kind === 'list') {
    return (value as unknown[]).map((item) => evolveValue(source.element, target.element, item));
  }
  if (source.kind === 'map' && target.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as object)) out[key] = evolveValue(source.value, target.value, item);
    return out;
  }
  return value;
}

/** A record written with fields `from` read as fields `to`: fields added since are null. */
export function evolveRecord(from: TableSchema, to: TableSchema, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of to) {
    const old = from.find((c) => c.name === column.name);
    out[column.name] = old === undefined ? null : evolveValue(old, column, row[column.name]);
  }
  return out;
}
