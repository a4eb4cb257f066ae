/**
 * The Weir version this package writes into commits (`weirVersion`) and Parquet footers
 * (`weir.version`, `created_by`). Kept equal to package.json's version by `package.test.ts`.
 */
export const WEIR_VERSION = '0.1.0';

/** The version of the table format this package writes into every commit (`formatVersion`). */
export const TABLE_FORMAT_VERSION = 1;
