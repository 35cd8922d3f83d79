import { candidateCounts, type StatsEntry } from '../quality';
import { h } from './dom';

/*
 * `?debug`: the signaling and negotiation log, and the ICE candidates gathered on each side by type. Only `?debug`
 * loads it (a lazy chunk).
 */

/** Log lines kept; older ones scroll away. */
export const MAX_DEBUG_LINES = 400;
/** How often candidate counts refresh while the panel is open. */
const DEBUG_REFRESH_MS = 2_000;

/** The debug panel. */
export class DebugPanel {
  readonly element: HTMLElement;
  readonly #lines = h('ol', { class: 'debug-log', 'aria-label': 'Signaling log', 'data-testid': 'debug-log' });
  readonly #candidates = h('dl', { class: 'stats', 'data-testid': 'debug-candidates' });
  readonly #started = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #connection: () => RTCPeerConnection | undefined;

  constructor(connection: () => RTCPeerConnection | undefined) {
    this.#connection = connection;
    this.element = h(
      'div',
      { class: 'debug' },
      h('h3', {}, 'ICE candidates'),
      this.#candidates,
      h('h3', {}, 'Log'),
      this.#lines,
    );
  }

  /** Adds a line, stamped with the time it happened (`at`, from performance.now()). */
  log(line: string, at = performance.now()): void {
    const seconds = ((at - this.#started) / 1000).toFixed(2).padStart(7);
    this.#lines.append(h('li', {}, `${seconds}  ${line}`));
    while (this.#lines.childElementCount > MAX_DEBUG_LINES) this.#lines.firstElementChild?.remove();
  }

  /** Refreshes candidate counts while the panel is shown. */
  setOpen(open: boolean): void {
    clearInterval(this.#timer);
    if (!open) return;
    const refresh = async () => {
      const pc = this.#connection();
      const counts = pc
        ? candidateCounts((await pc.getStats()).values() as Iterable<StatsEntry>)
        : { local: {}, remote: {} };
      const show = (side: Record<string, number>) =>
        Object.entries(side)
          .map(([type, n]) => `${type} ×${n}`)
          .join(', ') || 'none yet';
      this.#candidates.replaceChildren(
        h('dt', {}, 'Local'),
        h('dd', {}, show(counts.local)),
        h('dt', {}, 'Remote'),
        h('dd', {}, show(counts.remote)),
      );
    };
    void refresh();
    this.#timer = setInterval(() => void refresh(), DEBUG_REFRESH_MS);
  }
}
