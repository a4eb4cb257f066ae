/** A progress display of rows done out of a total. */
export interface Progress {
  /** Rows done so far (this run). */
  update(done: number): void;
  /** Clears the bar (a terminal) before the summary is printed. */
  finish(): void;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The figures both displays show: percentage, rows, rate and ETA. */
export function progressFigures(done: number, total: number, elapsedMs: number): { percent: number; rate: number; eta: number } {
  const percent = total === 0 ? 100 : Math.min(100, (done / total) * 100);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  return { percent, rate, eta };
}

/**
 * A one-line bar redrawn in place with `\r` (at most ten times a second), for a terminal:
 * `[#########...........]  45.2%  1,234,567/2,730,000 rows  85,321 rows/s  ETA 0:17`.
 * Hand-written: one line of output does not need a dependency.
 */
function terminalProgress(stream: NodeJS.WritableStream, total: number, now: () => number): Progress {
  const start = now();
  let last = 0;
  let drawn = false;
  const width = 24;
  const draw = (done: number) => {
    const { percent, rate, eta } = progressFigures(done, total, now() - start);
    const filled = Math.round((percent / 100) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    // \x1b[K clears what a longer previous line left on the right.
    stream.write(
      `\r[${bar}] ${percent.toFixed(1).padStart(5)}%  ${integer.format(done)}/${integer.format(total)} rows  ${integer.format(rate)} rows/s  ETA ${formatDuration(eta)}\x1b[K`,
    );
    drawn = true;
  };
  return {
    update(done) {
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      draw(done);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/**
 * Plain lines for logs and pipes, one each time another tenth of the rows is done or every
 * `intervalMs`, whichever comes first:
 * `weir import: 1234567/2730000 rows (45.2%), 85321 rows/s, ETA 0:17`.
 */
function lineProgress(stream: NodeJS.WritableStream, total: number, now: () => number, intervalMs: number): Progress {
  const start = now();
  let lastAt = start;
  let lastStep = 0;
  return {
    update(done) {
      const t = now();
      const step = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (step <= lastStep && t - lastAt < intervalMs) return;
      lastStep = Math.max(step, lastStep);
      lastAt = t;
      const { percent, rate, eta } = progressFigures(done, total, t - start);
      stream.write(`weir import: ${done}/${total} rows (${percent.toFixed(1)}%), ${Math.round(rate)} rows/s, ETA ${formatDuration(eta)}\n`);
    },
    finish() {},
  };
}

/** A bar on a terminal (`stream.isTTY`), plain lines otherwise; nothing when `enabled` is false. */
export function createProgress(
  stream: NodeJS.WritableStream,
  total: number,
  options: { enabled?: boolean; tty?: boolean; intervalMs?: number; now?: () => number } = {},
): Progress {
  const { enabled = true, tty = (stream as { isTTY?: boolean }).isTTY === true, intervalMs = 10_000, now = Date.now } = options;
  if (!enabled) return { update() {}, finish() {} };
  return tty ? terminalProgress(stream, total, now) : lineProgress(stream, total, now, intervalMs);
}
