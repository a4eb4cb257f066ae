/** True when `location` holds glob syntax (`*`, `?`, `[...]`, `{a,b}`). */
export function isGlob(location: string): boolean {
  return /[*?[{]/.test(location);
}

/**
 * Splits a glob at its first segment with glob syntax: the directory to walk from and the pattern
 * relative to it (`data/2026-*\/*.parquet` -> `data`, `2026-*\/*.parquet`).
 */
export function splitGlob(pattern: string): { base: string; rest: string } {
  const segments = pattern.split('/');
  const first = segments.findIndex(isGlob);
  const baseSegments = segments.slice(0, first);
  const base = baseSegments.length === 0 ? '.' : baseSegments.join('/') === '' ? '/' : baseSegments.join('/');
  return { base, rest: segments.slice(first).join('/') };
}

function escapeChar(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

// One path segment's pattern as a regular expression source. `*` and `?` never match `/`, nor a
// leading dot (hidden files stay hidden, as in a shell).
function segmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    const atStart = i === 0;
    if (char === '*') out += atStart ? '(?!\\.)[^/]*' : '[^/]*';
    else if (char === '?') out += atStart ? '(?!\\.)[^/]' : '[^/]';
    else if (char === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (char === '{') {
      const close = segment.indexOf('}', i);
      if (close === -1) {
        out += '\\{';
        continue;
      }
      out += `(?:${segment
        .slice(i + 1, close)
        .split(',')
        .map((part) => segmentSource(part))
        .join('|')})`;
      i = close;
    } else out += escapeChar(char);
  }
  return out;
}

/**
 * Compiles a relative glob to a regular expression over `/`-separated relative paths: `*`, `?`,
 * `[abc]`, `[!abc]`, `{a,b}` within a segment, and `**` as a whole segment for any number of
 * directories (zero included).
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/').filter((s) => s !== '');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') source += last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]*/)*';
    else source += segmentSource(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

/** How many directory levels a relative glob can descend (Infinity with `**`). */
export function globDepth(pattern: string): number {
  const segments = pattern.split('/').filter((s) => s !== '');
  return segments.includes('**') ? Number.POSITIVE_INFINITY : segments.length;
}
