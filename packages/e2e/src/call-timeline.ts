/*
 * Timelines of call setup, for the call-setup benchmark's `--timeline` option: an init script the BENCHMARK
 * injects records when the page opens its signaling socket, what it sends and receives on it (message types,
 * never contents), and what its peer connections do; the local system's gateway and DynamoDB traces add the
 * server's side. All timestamps are epoch ms on one machine's clock, so page and server events line up.
 */
import type { UserPage } from './browsers';

/** One step seen in a page or on the server. */
export interface TimelineEvent {
  at: number;
  /** Who saw it: `A`, `B` (the pages), `gateway`, `dynamodb`. */
  who: string;
  what: string;
}

/**
 * The init script: wraps WebSocket and RTCPeerConnection (after the RTC probe, so it wraps the probe's wrapper)
 * and records into `window.__parleyTimeline`. Self-contained: it runs inside the page.
 */
export function installTimelineRecorder(): void {
  const w = window as unknown as {
    __parleyTimeline?: { at: number; what: string }[];
    __name?: unknown;
    WebSocket: typeof WebSocket;
    RTCPeerConnection: typeof RTCPeerConnection;
  };
  if (!w.__name) w.__name = (fn: unknown) => fn;
  if (w.__parleyTimeline) return;
  const events: { at: number; what: string }[] = [];
  w.__parleyTimeline = events;
  const now = () => performance.timeOrigin + performance.now();
  const note = (what: string) => events.push({ at: now(), what });
  // A message's type, and for signals what they carry (never contents).
  const summary = (text: string): string => {
    try {
      const message = JSON.parse(text) as {
        type?: string;
        data?: {
          kind?: string;
          description?: { type?: string };
          candidate?: { candidate?: string } | null;
          candidates?: unknown[];
        };
      };
      if (message.type !== 'signal' || !message.data) return String(message.type);
      if (message.data.kind === 'description') return `signal ${message.data.description?.type}`;
      if (message.data.kind === 'candidates') return `signal ${message.data.candidates?.length} candidates`;
      const candidate = message.data.candidate?.candidate;
      return candidate ? `signal candidate ${/ typ (\w+)/.exec(candidate)?.[1] ?? '?'}` : 'signal end-of-candidates';
    } catch {
      return 'unparsable';
    }
  };
  document.addEventListener(
    'click',
    (event) => {
      if ((event.target as Element | null)?.closest?.('[data-testid="join"]')) note('join click');
    },
    true,
  );
  const NativeSocket = w.WebSocket;
  const Socket = function (this: unknown, url: string | URL, protocols?: string | string[]) {
    note('ws create');
    const socket = new NativeSocket(url, protocols);
    socket.addEventListener('open', () => note('ws open'));
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') note(`recv ${summary(event.data)}`);
    });
    const send = socket.send.bind(socket);
    socket.send = (data: string | ArrayBufferLike | Blob | ArrayBufferView) => {
      if (typeof data === 'string') note(`send ${summary(data)}`);
      send(data);
    };
    return socket;
  } as unknown as typeof WebSocket;
  Socket.prototype = NativeSocket.prototype;
  Object.setPrototypeOf(Socket, NativeSocket);
  w.WebSocket = Socket;

  const NativePeer = w.RTCPeerConnection;
  if (!NativePeer) return;
  const Peer = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
    note('pc create');
    const pc = new NativePeer(...args);
    pc.addEventListener('icecandidate', (event) => {
      const type = event.candidate ? (/ typ (\w+)/.exec(event.candidate.candidate)?.[1] ?? '?') : 'end';
      note(`gathered ${type}`);
    });
    pc.addEventListener('negotiationneeded', () => note('negotiationneeded'));
    pc.addEventListener('iceconnectionstatechange', () => note(`ice ${pc.iceConnectionState}`));
    pc.addEventListener('connectionstatechange', () => note(`connection ${pc.connectionState}`));
    const timed = <T extends unknown[]>(name: string, method: (...a: T) => Promise<void>) => {
      return async (...a: T) => {
        const kind = (a[0] as { type?: string } | undefined)?.type ?? '';
        note(`${name} ${kind} start`.replace('  ', ' '));
        await method(...a);
        note(`${name} ${kind || (pc.localDescription?.type ?? '')} done`.replace('  ', ' '));
      };
    };
    pc.setLocalDescription = timed('setLocal', pc.setLocalDescription.bind(pc)) as typeof pc.setLocalDescription;
    pc.setRemoteDescription = timed('setRemote', pc.setRemoteDescription.bind(pc)) as typeof pc.setRemoteDescription;
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Peer.prototype = NativePeer.prototype;
  Object.setPrototypeOf(Peer, NativePeer);
  w.RTCPeerConnection = Peer;
}

/** Installs the recorder in a page (before it loads the app). */
export function recordTimeline(page: UserPage): Promise<void> {
  return page.addInitScript(installTimelineRecorder, null);
}

/** What the recorder saw in a page so far. */
export async function pageTimeline(page: UserPage, who: string): Promise<TimelineEvent[]> {
  const events = await page.evaluate(
    () => (window as unknown as { __parleyTimeline?: { at: number; what: string }[] }).__parleyTimeline ?? [],
    null,
  );
  return events.map((event) => ({ ...event, who }));
}

/**
 * Numbers repeated steps (`A send signal candidate relay #2`), so the same step can be compared across runs, and
 * answers each step's time relative to `zero`.
 */
export function keyedSteps(events: TimelineEvent[], zero: number): Map<string, number> {
  const seen = new Map<string, number>();
  const steps = new Map<string, number>();
  for (const event of [...events].sort((x, y) => x.at - y.at)) {
    const base = `${event.who} ${event.what}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    steps.set(count === 1 ? base : `${base} #${count}`, event.at - zero);
  }
  return steps;
}
