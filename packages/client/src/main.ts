import './styles.css';
import { createRoomId, type SiteConfig, signalingUrlWithTicket } from '@parley/protocol';
import { canMakeCalls } from './browser-support';
import { readCallOptions } from './call-options';
import { CallSession } from './call-session';
import { loadPrefs } from './device-prefs';
import { LocalMedia } from './local-media';
import { loadOwnerKey, saveOwnerKey } from './owner-key-store';
import { type RoomAccess, roomAccess, signInvitation } from './page-access';
import type { ProblemKind } from './problems';
import { invitationLink, roomLink, routeFromHash } from './room-link';
import { loadSiteConfig } from './site-config';
import { callView } from './ui/call-view';
import { button, messagePage, problemPage } from './ui/common';
import { landingView } from './ui/landing';
import { type LobbyInvitation, lobbyView } from './ui/lobby';

/*
 * The app: landing → lobby → call, driven by the URL fragment (see room-link.ts). Each view is built fresh and torn
 * down when the next one replaces it. On a private deployment (the default) a room needs the owner key kept in this
 * browser or an invitation in the link; without either the page shows that Parley is private and opens no socket.
 */

const root = document.getElementById('app') as HTMLElement;
const options = readCallOptions(location.search);
let disposeView: (() => void) | undefined;
let media: LocalMedia | undefined;
/** The session of the lobby on screen, until its Join starts it. */
let lobbySession: CallSession | undefined;
/** Bumped on every route: a route that finished its async work after a newer one started shows nothing. */
let routeGeneration = 0;

const nowSeconds = () => Math.floor(Date.now() / 1000);

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

/** Start a new call; `primary` where it is the page's one main action. */
const newCallButton = (primary = true) =>
  button({ label: 'Start a new call', onClick: startCall, className: primary ? 'btn primary' : 'btn' });

function showProblem(kind: ProblemKind, ...actions: HTMLElement[]): void {
  show(problemPage(kind, ...actions), 'Problem');
}

/** Who may start calls here: on a private deployment only the owner; a stranger sees that the site is private. */
async function canStartCalls(config: SiteConfig): Promise<boolean> {
  return config.access === 'open' || (await loadOwnerKey()) !== undefined;
}

async function route(config: SiteConfig): Promise<void> {
  const generation = ++routeGeneration;
  const current = () => generation === routeGeneration;
  media?.stopTracks();
  media = undefined;
  lobbySession?.discard();
  lobbySession = undefined;
  const where = routeFromHash(location.hash);
  if (where.view === 'owner-key') {
    // The owner link: keep the key in this browser, and take it out of the address bar (and its history entry).
    history.replaceState(null, '', location.pathname + location.search);
    await saveOwnerKey(where.ownerKey);
    if (current()) void route(config);
    return;
  }
  if (where.view === 'landing') {
    const owner = await canStartCalls(config);
    if (!current()) return;
    if (owner) show(landingView(startCall), '');
    else showProblem('private');
    return;
  }
  if (where.view === 'broken-link') {
    showProblem('broken-link', ...((await canStartCalls(config)) ? [newCallButton()] : []));
    return;
  }
  const { roomId } = where;
  const access = await roomAccess({
    access: config.access,
    roomId,
    ticket: where.ticket,
    nowSeconds: nowSeconds(),
    loadOwnerKey,
  });
  if (!current()) return;
  if (access.kind === 'stranger') return showProblem('private');
  if (access.kind === 'expired') return showProblem('invite-expired');
  if (access.kind === 'broken') return showProblem('broken-link');
  const invitation = await lobbyInvitation(config, roomId, access);
  if (!current()) return;
  showRoom(config, roomId, access, invitation);
}

/** What the lobby offers: the owner's invitation link, the room link of an open deployment, or a guest's inviter. */
async function lobbyInvitation(config: SiteConfig, roomId: string, access: RoomAccess): Promise<LobbyInvitation> {
  if (access.kind === 'guest') return { kind: 'invited', by: access.invitedBy };
  if (access.kind !== 'owner') {
    return {
      kind: 'share',
      link: roomLink(location.href, roomId),
      note: 'Send this link to the person you want to talk to. The call starts when they open it.',
    };
  }
  const hours = config.inviteValidityHours;
  const invite = async (by: string | undefined) =>
    invitationLink(
      location.href,
      roomId,
      await signInvitation(access.owner, { roomId, hours, by, nowSeconds: nowSeconds() }),
    );
  return {
    kind: 'share',
    link: await invite(loadPrefs().name || undefined),
    note: `Send this invitation link to the person you want to talk to. It lets one person in, for ${hours} hours.`,
    renew: invite,
  };
}

function showRoom(config: SiteConfig, roomId: string, access: RoomAccess, invitation: LobbyInvitation): void {
  const ticket = access.kind === 'owner' || access.kind === 'guest' ? access.ticket : undefined;
  const signalingUrl = signalingUrlWithTicket(config.signalingUrl, roomId, ticket);
  /** Where this person goes back to after leaving: the same room, with the same invitation. */
  const fragment = location.hash;
  let shareLink = invitation.kind === 'share' ? invitation.link : undefined;
  const roomMedia = new LocalMedia();
  media = roomMedia;
  const session = new CallSession({ signalingUrl, roomId, options, localStream: roomMedia.stream });
  lobbySession = session;
  // The one place local media meets the call: every track change from the lobby on goes to this session.
  roomMedia.sendTo(session);
  let shown = invitation;
  if (invitation.kind === 'share' && invitation.renew) {
    const renew = invitation.renew;
    // A new invitation made in the lobby is the one the call view shows while waiting.
    shown = { ...invitation, renew: async (name) => (shareLink = await renew(name)) };
  }
  const lobby = lobbyView({
    invitation: shown,
    media: roomMedia,
    onJoin: (name) => {
      lobbySession = undefined;
      const call = callView({
        session,
        link: shareLink,
        options,
        media: roomMedia,
        name,
        onLeave: (reason) => {
          roomMedia.sendTo(undefined);
          roomMedia.stopTracks();
          if (media !== roomMedia) return; // the person already moved on (opened a link meanwhile)
          if (reason !== 'hung-up') {
            showProblem(reason, ...(ticket === undefined || access.kind === 'owner' ? [newCallButton()] : []));
            return;
          }
          show(
            messagePage('You left the call', 'The room stays open for a while: you can go back with the same link.', [
              button({
                label: 'Rejoin',
                onClick: () => {
                  location.hash = fragment;
                },
                className: 'btn primary',
                testId: 'rejoin',
              }),
              // One main action per page: going back in is it, a new call the other choice.
              ...(access.kind === 'guest' ? [] : [newCallButton(false)]),
            ]),
            'Call ended',
          );
        },
      });
      show(call.element, 'Call', call.dispose);
    },
  });
  // Someone waiting with an offer: answer it from the lobby (once the camera is open), so Join only sends it. TURN
  // credentials, when the server hands the lobby some, make "Test my connection" available.
  session.warmUp(
    (room) => {
      // Someone holds the one other seat: the lobby names them instead of offering a link to send (not our own seat,
      // held for this tab since before a reload).
      const others = session.othersIn(room);
      const waiting = others.length === 1 ? others[0] : undefined;
      if (waiting) lobby.someoneWaiting(waiting.name);
      if (room.iceServers && room.iceExpiresAt) {
        lobby.offerConnectionTest({ iceServers: room.iceServers, iceExpiresAt: room.iceExpiresAt });
      }
      void roomMedia.open().then(() => session.prepare(room));
    },
    () => {
      if (ticket !== undefined) lobby.showProblem('link-refused');
    },
  );
  show(lobby.element, 'Lobby', lobby.dispose);
}

async function boot(): Promise<void> {
  if (!canMakeCalls()) {
    showProblem('no-webrtc');
    return;
  }
  let config: SiteConfig;
  try {
    config = await loadSiteConfig((path) => fetch(path, { cache: 'no-cache' }));
  } catch {
    showProblem(
      'bad-config',
      button({ label: 'Try again', onClick: () => location.reload(), className: 'btn primary' }),
    );
    return;
  }
  window.addEventListener('hashchange', () => void route(config));
  void route(config);
}

void boot();
