import './styles.css';
import { createRoomId } from '@parley/protocol';
import { readCallOptions } from './call-options';
import { CallSession, warmUpSignaling } from './call-session';
import type { ProblemKind } from './problems';
import { roomLink, routeFromHash } from './room-link';
import { loadSiteConfig } from './site-config';
import { callView } from './ui/call-view';
import { button, messagePage, problemPage } from './ui/common';
import { landingView } from './ui/landing';
import { lobbyView } from './ui/lobby';
import { LocalMedia } from './ui/media';

/*
 * The app: landing → lobby → call, driven by the URL fragment (`/#<roomId>`). Each view is built fresh and torn
 * down when the next one replaces it.
 */

const root = document.getElementById('app') as HTMLElement;
const options = readCallOptions(location.search);
let disposeView: (() => void) | undefined;
let media: LocalMedia | undefined;
/** The session of the lobby on screen, until its Join starts it. */
let lobbySession: CallSession | undefined;

function show(element: HTMLElement, title: string, dispose?: () => void): void {
  disposeView?.();
  disposeView = dispose;
  root.replaceChildren(element);
  document.title = title ? `${title} · Parley` : 'Parley';
  // Move focus to the new view's heading, so screen readers announce where the person is now.
  const heading = element.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

function startCall(): void {
  location.hash = createRoomId();
}

const newCallButton = () => button('Start a new call', undefined, startCall, 'btn primary');

function showProblem(kind: ProblemKind, ...actions: HTMLElement[]): void {
  show(problemPage(kind, ...actions), 'Problem');
}

function route(signalingUrl: string): void {
  media?.stopTracks();
  media = undefined;
  lobbySession?.discard();
  lobbySession = undefined;
  const where = routeFromHash(location.hash);
  if (where.view === 'landing') {
    show(landingView(startCall), '');
    return;
  }
  if (where.view === 'broken-link') {
    showProblem('broken-link', newCallButton());
    return;
  }
  const { roomId } = where;
  const link = roomLink(location.href, roomId);
  const roomMedia = new LocalMedia();
  media = roomMedia;
  const session = new CallSession({ signalingUrl, roomId, options, localStream: roomMedia.stream });
  lobbySession = session;
  // Someone waiting with an offer: answer it from the lobby (once the camera is open), so Join only sends it.
  warmUpSignaling(signalingUrl, roomId, (room) => void roomMedia.open().then(() => session.prepare(room)));
  roomMedia.sendTrack = (kind, track) => session.replaceTrack(kind, track);
  const lobby = lobbyView({
    link,
    media: roomMedia,
    onJoin: (name) => {
      lobbySession = undefined;
      const call = callView({
        session,
        link,
        options,
        media: roomMedia,
        name,
        onLeave: (reason) => {
          roomMedia.stopTracks();
          if (media !== roomMedia) return; // the person already moved on (opened a link meanwhile)
          if (reason !== 'hung-up') {
            showProblem(reason, newCallButton());
            return;
          }
          show(
            messagePage('You left the call', 'The room stays open for a while: you can go back with the same link.', [
              button(
                'Rejoin',
                undefined,
                () => {
                  location.hash = roomId;
                },
                'btn primary',
                'rejoin',
              ),
              newCallButton(),
            ]),
            'Call ended',
          );
        },
      });
      show(call.element, 'Call', call.dispose);
    },
  });
  show(lobby.element, 'Lobby', lobby.dispose);
}

async function boot(): Promise<void> {
  if (typeof RTCPeerConnection === 'undefined') {
    showProblem('no-webrtc');
    return;
  }
  let signalingUrl: string;
  try {
    signalingUrl = (await loadSiteConfig((path) => fetch(path, { cache: 'no-cache' }))).signalingUrl;
  } catch {
    showProblem(
      'bad-config',
      button('Try again', undefined, () => location.reload(), 'btn primary'),
    );
    return;
  }
  window.addEventListener('hashchange', () => route(signalingUrl));
  route(signalingUrl);
}

void boot();
