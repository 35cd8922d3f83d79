import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UserPage } from './browsers';
import { installRtcProbe, RTC_PROBE_TIMING } from './rtc-probe';

/*
 * The browser floor: two pages call each other with SDP and ICE candidates handed over by the test process
 * itself (no signaling server, no app). What the full stack adds on top of this is Parley's own cost.
 */

/** Name of the function each direct-call page uses to hand a message to the test process. */
const OUTBOX = '__parleyDirectOutbox';

/** A page on a loopback origin (a secure context, so `getUserMedia` works) with nothing on it. */
export interface BlankOrigin {
  url: string;
  close(): Promise<void>;
}

/** Serves an empty HTML page on 127.0.0.1 and a free port. */
export async function startBlankOrigin(): Promise<BlankOrigin> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><meta charset="utf-8"><title>Direct call</title><body></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** ICE configuration of a direct call. */
export interface DirectCallIce {
  iceServers: RTCIceServer[];
  /** Relay only (`iceTransportPolicy: 'relay'`), as the app's `?relay`. */
  relayOnly: boolean;
}

/** Runs in the page: camera + microphone, a peer connection, a remote `<video>`, and an inbox for messages. */
async function preparePeer(config: {
  ice: DirectCallIce;
  outbox: string;
  video: MediaTrackConstraints | true;
}): Promise<void> {
  const w = window as unknown as Record<string, unknown>;
  const send = w[config.outbox] as (text: string) => void;
  const stream = await navigator.mediaDevices.getUserMedia({ video: config.video, audio: true });
  const pc = new RTCPeerConnection({
    iceServers: config.ice.iceServers,
    iceTransportPolicy: config.ice.relayOnly ? 'relay' : 'all',
  });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.dataset.remote = 'true';
  document.body.append(video);
  pc.addEventListener('track', (event) => {
    if (event.streams[0]) video.srcObject = event.streams[0];
  });
  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate) send(JSON.stringify({ kind: 'candidate', candidate: event.candidate.toJSON() }));
  });
  let queue: Promise<void> = Promise.resolve();
  // Messages are handled strictly in arrival order: a candidate must not overtake the offer it belongs to.
  w.__parleyDirectInbox = (text: string) => {
    const message = JSON.parse(text) as
      | { kind: 'description'; description: RTCSessionDescriptionInit }
      | { kind: 'candidate'; candidate: RTCIceCandidateInit };
    queue = queue.then(async () => {
      if (message.kind === 'candidate') {
        await pc.addIceCandidate(message.candidate);
        return;
      }
      await pc.setRemoteDescription(message.description);
      if (message.description.type === 'offer') {
        await pc.setLocalDescription();
        send(JSON.stringify({ kind: 'description', description: pc.localDescription?.toJSON() }));
      }
    });
  };
  w.__parleyDirectOffer = async () => {
    await pc.setLocalDescription();
    send(JSON.stringify({ kind: 'description', description: pc.localDescription?.toJSON() }));
  };
}

/**
 * Prepares a page for a direct call: probe, blank origin, media, peer connection, message plumbing. `video` is what
 * the camera is opened with (the browser's default unless given: the benchmark gives the app's own constraints).
 */
export async function prepareDirectPeer(
  page: UserPage,
  origin: BlankOrigin,
  ice: DirectCallIce,
  deliverToOther: (text: string) => void,
  video: MediaTrackConstraints | true = true,
): Promise<void> {
  await page.addInitScript(installRtcProbe, RTC_PROBE_TIMING);
  await page.exposeFunction(OUTBOX, deliverToOther);
  await page.goto(origin.url);
  await page.evaluate(preparePeer, { ice, outbox: OUTBOX, video });
}

/**
 * Sets up two pages and returns a function that starts the call (the caller offers); the pages exchange
 * SDP and candidates through this process as fast as it can forward them.
 */
export async function prepareDirectCall(
  caller: UserPage,
  callee: UserPage,
  origin: BlankOrigin,
  ice: DirectCallIce,
  video: MediaTrackConstraints | true = true,
): Promise<{ start(): Promise<void> }> {
  const forwardTo = (page: UserPage) => (text: string) => {
    page
      .evaluate((message: string) => {
        (window as unknown as { __parleyDirectInbox: (text: string) => void }).__parleyDirectInbox(message);
      }, text)
      .catch(() => undefined); // a page closing mid-call is the test's business, not the forwarder's
  };
  await Promise.all([
    prepareDirectPeer(caller, origin, ice, forwardTo(callee), video),
    prepareDirectPeer(callee, origin, ice, forwardTo(caller), video),
  ]);
  return {
    start: () =>
      caller.evaluate(
        () => (window as unknown as { __parleyDirectOffer: () => Promise<void> }).__parleyDirectOffer(),
        null,
      ),
  };
}
