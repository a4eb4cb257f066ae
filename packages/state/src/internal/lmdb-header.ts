import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A check of an LMDB data file's meta pages, done in JavaScript before lmdb-js opens the file.
 *
 * Why: lmdb-js 3.5.6 crashes the process (double free, SIGSEGV) when LMDB fails to open an
 * environment, instead of throwing; and when page 0 is valid LMDB takes page 1 on trust (it picks
 * the meta page with the larger transaction id), so a damaged page 1 crashes later. A task whose
 * state files are damaged must lose its state, not the process, so the two meta pages are checked
 * here the way LMDB checks page 0, and any doubt counts as corruption.
 *
 * Layout (LMDB as built into lmdb-js, 64-bit): a 24-byte page header (pgno u64, txnid u64, pad u16,
 * flags u16, lower/upper u32), then the meta: magic u32 = 0xBEEFC0DE, version u32 (low 16 bits = 2),
 * address u64, mapsize u64, then the free-space DB record whose first u32 holds the page size.
 * Little-endian on every platform lmdb-js ships prebuilt binaries for.
 */

const PAGE_HEADER_BYTES = 24;
const P_META = 0x08;
const MDB_MAGIC = 0xbeefc0de;
const MDB_DATA_VERSION = 2;
const META_PAGE_SIZE_OFFSET = PAGE_HEADER_BYTES + 24;
const HEADER_BYTES = 64;
const MIN_PAGE_SIZE = 512;
const MAX_PAGE_SIZE = 65536;

/**
 * Whether the data file at `path` starts with two valid meta pages.
 * @returns undefined when it does (or is empty: LMDB initializes an empty file), else what is wrong
 */
export function checkDataFileHeader(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const page0 = readAt(fd, 0);
    const problem0 = checkMetaPage(page0, 0);
    if (problem0) return problem0;
    const pageSize = page0.readUInt32LE(META_PAGE_SIZE_OFFSET);
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
      return `meta page 0 gives an invalid page size ${pageSize}`;
    }
    if (size < 2 * pageSize) return `data file of ${size} bytes is shorter than its two ${pageSize}-byte meta pages`;
    return checkMetaPage(readAt(fd, pageSize), 1);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  const read = readSync(fd, buffer, 0, HEADER_BYTES, position);
  return read === HEADER_BYTES ? buffer : buffer.subarray(0, read);
}

function checkMetaPage(page: Buffer, pgno: 0 | 1): string | undefined {
  if (page.length < HEADER_BYTES) return `data file too short for meta page ${pgno}`;
  if (page.readBigUInt64LE(0) !== BigInt(pgno)) return `meta page ${pgno} has page number ${page.readBigUInt64LE(0)}`;
  if ((page.readUInt16LE(18) & P_META) === 0) return `page ${pgno} is not a meta page`;
  const magic = page.readUInt32LE(PAGE_HEADER_BYTES);
  if (magic !== MDB_MAGIC) return `meta page ${pgno} has magic 0x${magic.toString(16)}, not an LMDB file`;
  const version = page.readUInt32LE(PAGE_HEADER_BYTES + 4) & 0xffff;
  if (version !== MDB_DATA_VERSION) return `meta page ${pgno} has LMDB data version ${version}, expected ${MDB_DATA_VERSION}`;
  return undefined;
}
