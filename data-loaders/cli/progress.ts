/**
 * Progress on stderr (downloads, long computations), redrawn in place, only when stderr is a terminal: logs, pipes
 * and CI output stay free of carriage returns.
 */
export interface Progress {
  update(received: number, total: number | null): void;
  /** Clear the progress line. */
  done(): void;
}

const REDRAW_MS = 100;

export function createProgress(label: string, stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let lastDraw = 0;
  let drawn = false;
  return {
    update(received, total) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS && received !== total) return;
      lastDraw = now;
      drawn = true;
      const of = total === null ? "" : ` of ${megabytes(total)} (${Math.floor((100 * received) / total)} %)`;
      stream.write(`\r\x1b[K${label}: ${megabytes(received)}${of}`);
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

/**
 * One line saying what is being computed, replaced by the next, cleared by `done`. Redrawn at most every REDRAW_MS
 * (a small map's worker bands report hundreds of steps a second): a text shown sooner waits, and the latest waiting
 * one is drawn when the interval is up (a timer, so only once the event loop is free: during a synchronous section
 * the line may still name the step before it) or by `done`, which draws it before clearing the line.
 */
export function createStatusLine(stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr) {
  let drawn = false;
  let lastDraw = -Infinity;
  let waiting: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const draw = (text: string) => {
    stream.write(`\r\x1b[K${text}`);
    drawn = true;
    lastDraw = Date.now();
    waiting = null;
  };
  const drawWaiting = () => {
    clearTimeout(timer);
    timer = undefined;
    if (waiting !== null) draw(waiting);
  };
  return {
    show(text: string): void {
      if (!stream.isTTY) return;
      const wait = lastDraw + REDRAW_MS - Date.now();
      if (wait <= 0) {
        waiting = text;
        drawWaiting();
        return;
      }
      waiting = text;
      if (timer === undefined) {
        timer = setTimeout(drawWaiting, wait);
        timer.unref();
      }
    },
    done(): void {
      drawWaiting();
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
