import type { CallOptions } from '../call-options';
import type { CallEvents, CallSession, CallStatus, PeerInfo } from '../call-session';
import { type CallTimings, callStatusText } from '../format';
import type { ProblemKind } from '../problems';
import type { CallQuality } from '../quality';
import { SHORTCUT_KEYS, shortcutAction } from '../shortcuts';
import { VideoStruggleWatch } from '../video-struggle';
import { ChatPanel } from './chat-panel';
import { button, problemNotice, relabel, shareBox, toast } from './common';
import { DebugPanel } from './debug-panel';
import { applySpeaker, devicePickers } from './devices';
import { h, replace } from './dom';
import { mediaToggles, previewVideo } from './lobby';
import { type LocalMedia, loadPrefs } from './media';
import { QualityPanel, qualityIndicator } from './quality-panel';
import { VerifyBar } from './verify-bar';

/*
 * The call: the other person large, yourself small, controls at the bottom, and one side panel at a time (chat and
 * files, quality, devices, debug). Everything else — negotiation, reconnects, ICE restarts — happens in CallSession;
 * this view only shows what it reports, in words.
 */

/** The overlay's text for each status that shows it (below the status itself), for whoever has a link to share. */
const OVERLAY_TEXTS: Partial<Record<CallStatus, string>> = {
  joining: 'Getting your seat in the call.',
  waiting: 'Send them this link. The call starts by itself as soon as they open it.',
  connecting: 'Finding the best path between you.',
  'peer-left': 'The room stays open: they can come back with the same link.',
};

/** …and for a guest, who has no link to share: the person who invited them comes (back) by themselves. */
const GUEST_OVERLAY_TEXTS: Partial<Record<CallStatus, string>> = {
  ...OVERLAY_TEXTS,
  waiting: 'The call starts by itself as soon as they are here.',
  'peer-left': 'Stay here: the call starts again by itself if they come back.',
};

type PanelName = 'chat' | 'quality' | 'settings' | 'debug';

export interface CallViewOptions {
  /** The session made with the lobby (perhaps with an answer prepared); the view starts it. */
  session: CallSession;
  /** The link to share while waiting (the owner's invitation, or the room on an open deployment); none for a guest. */
  link: string | undefined;
  options: CallOptions;
  media: LocalMedia;
  name: string | undefined;
  /** The call is over: hung up here, or refused by the server for a reason to show. */
  onLeave(reason: 'hung-up' | ProblemKind): void;
}

/** Builds the in-call view and starts the session. */
export function callView(o: CallViewOptions): { element: HTMLElement; dispose(): void } {
  const { media } = o;
  let status: CallStatus = 'joining';
  let peer: PeerInfo | undefined;
  let lastPeerName: string | undefined;
  let problem: ProblemKind | undefined;
  let panel: PanelName | undefined;
  let unread = 0;
  let quality: CallQuality | undefined;
  let words: string[] | undefined;
  const code = () => words?.join(' ');
  const videoStruggle = new VideoStruggleWatch();
  /** The audio-only offer shows (until taken or the camera is off). */
  let offerAudioOnly = false;
  let timings: CallTimings = {};
  let left = false;
  const peerName = () => peer?.name || lastPeerName || 'Guest';

  const remoteVideo = h('video', {
    class: 'remote',
    playsinline: true,
    autoplay: true,
    'data-testid': 'remote-video',
    onloadeddata: () => session.remoteFrameShown(),
    onresize: () => render(),
  });
  applySpeaker(remoteVideo, loadPrefs().speaker);
  const soundButton = button(
    'Turn on sound',
    'mic',
    () => void remoteVideo.play().then(() => (soundButton.hidden = true)),
    'btn primary sound',
  );
  soundButton.hidden = true;
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  const remotePlaceholder = h('div', { class: 'remote-placeholder' }, avatar, h('p', {}));
  const peerLabel = h('div', { class: 'peer-label', 'data-testid': 'peer-name' });
  const localTile = h(
    'div',
    { class: 'tile local' },
    previewVideo(media.stream, 'local-video'),
    h('div', { class: 'placeholder' }, 'Camera off'),
  );
  const overlay = h('div', { class: 'overlay', 'data-testid': 'call-overlay' });
  const banner = h('div', { class: 'banner-slot' });
  const statusText = h('p', { class: 'status', role: 'status', 'data-testid': 'call-status' });
  const indicator = qualityIndicator(() => togglePanel('quality'));
  const qualityPanel = new QualityPanel();
  const verifyBar = new VerifyBar(() => void leave('codes-differ'));
  const chatPanel = new ChatPanel({
    send: (text) => {
      if (session.sendChat(text)) return true;
      toast('Messages can be sent once the other person is here.');
      return false;
    },
    files: () => session.files,
    peerName,
  });
  const debugPanel = o.options.debug ? new DebugPanel(() => session.connection) : undefined;
  const settings = h('div', { class: 'settings' }, devicePickers(media, remoteVideo));

  // Controls
  const toggles = mediaToggles(media, 'ctl');
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  const screen = button(
    'Share screen',
    'screen',
    () => void (media.sharing ? media.stopScreen() : media.startScreen()),
    'ctl',
    'share-screen',
    SHORTCUT_KEYS.screen,
  );
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', 'data-testid': 'unread-badge' });
  badge.hidden = true;
  const chatButton = button('Chat', 'chat', () => togglePanel('chat'), 'ctl', 'chat-toggle', SHORTCUT_KEYS.chat);
  chatButton.append(badge);
  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    hidden: true,
    tabindex: -1,
    'aria-hidden': 'true',
    'data-testid': 'file-input',
    onchange: () => {
      sendFiles(fileInput.files);
      fileInput.value = '';
    },
  });
  const fileButton = button('Send file', 'file', () => fileInput.click(), 'ctl', 'send-file');
  const settingsButton = button('Devices', 'settings', () => togglePanel('settings'), 'ctl');
  const debugButton = debugPanel && button('Debug', 'quality', () => togglePanel('debug'), 'ctl');
  const hangUp = button('Hang up', 'hangUp', () => void leave(), 'ctl danger', 'hang-up');

  const panelTitle = h('h2', { id: 'panel-title' }, '');
  const panelBody = h('div', { class: 'panel-body' });
  const aside = h(
    'aside',
    { class: 'panel', 'aria-labelledby': 'panel-title', 'data-testid': 'side-panel' },
    h(
      'header',
      {},
      panelTitle,
      button('Close panel', 'close', () => togglePanel(undefined), 'ctl small'),
    ),
    panelBody,
  );
  aside.hidden = true;

  const stage = h(
    'div',
    {
      class: 'stage',
      'data-testid': 'stage',
      ondragover: (event) => {
        event.preventDefault();
        stage.classList.add('dropping');
      },
      ondragleave: () => stage.classList.remove('dropping'),
      ondrop: (event) => {
        event.preventDefault();
        stage.classList.remove('dropping');
        sendFiles((event as DragEvent).dataTransfer?.files);
      },
    },
    remoteVideo,
    remotePlaceholder,
    peerLabel,
    localTile,
    overlay,
    soundButton,
    h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, 'Drop to send'),
  );
  const element = h(
    'section',
    { class: 'call', 'aria-label': 'Call' },
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, 'Parley'), statusText, indicator.element),
    // One row of the call's grid for both: the bar and the banners come and go.
    h('div', { class: 'notices' }, banner, verifyBar.element),
    h('div', { class: 'call-main' }, stage, aside),
    h(
      'nav',
      { class: 'controls', 'aria-label': 'Call controls' },
      toggles.mic,
      toggles.camera,
      canShare && screen,
      chatButton,
      fileButton,
      settingsButton,
      debugButton,
      hangUp,
      fileInput,
    ),
  );

  const session = o.session;
  const events: CallEvents = {
    status(next) {
      status = next;
      render();
    },
    peer(next) {
      if (next && !peer) words = undefined; // another connection: other certificates, other words
      peer = next;
      if (next?.name) lastPeerName = next.name;
      render();
    },
    remoteStream(stream) {
      if (remoteVideo.srcObject !== (stream ?? null)) remoteVideo.srcObject = stream ?? null;
      if (stream) {
        remoteVideo.play().catch((error: unknown) => {
          // Safari (and Chrome without a prior click) refuse sound until the person taps something.
          if ((error as Error).name === 'NotAllowedError') soundButton.hidden = false;
        });
      }
      render();
    },
    chat(entry) {
      chatPanel.addMessage(entry);
      if (entry.from === 'peer') notify(`${peerName()}: ${entry.text.slice(0, 80)}`);
    },
    transfer(transfer) {
      chatPanel.updateTransfer(transfer);
      if (transfer.direction === 'receive' && transfer.state === 'offered')
        notify(`${peerName()} wants to send you a file: ${transfer.name}`);
    },
    problem(kind) {
      problem = kind;
      render();
    },
    quality(next, verification) {
      quality = next;
      words = verification ?? words;
      renderVerifyBar();
      if (videoStruggle.update(next, !!peer?.video)) {
        offerAudioOnly = true;
        render();
      }
      indicator.update(next);
      qualityPanel.update(quality, code(), timings);
    },
    timings(next) {
      timings = next;
      qualityPanel.update(quality, code(), timings);
    },
    ended(reason) {
      // A hang-up here has already handed back (see leave); a problem that ended the call does so now.
      if (left) return;
      left = true;
      o.onLeave(reason);
    },
    log(line) {
      debugPanel?.log(line);
    },
  };

  function render(): void {
    statusText.textContent = callStatusText(status, peerName());
    element.dataset.status = status;
    const hasRemoteVideo =
      !!(peer?.video || peer?.screen) && (remoteVideo.srcObject as MediaStream | null)?.getVideoTracks().length;
    remoteVideo.classList.toggle('hidden', !hasRemoteVideo);
    remoteVideo.classList.toggle('screen', !!peer?.screen);
    remotePlaceholder.hidden = !!hasRemoteVideo || !peer;
    avatar.textContent = peerName().slice(0, 1).toUpperCase();
    (remotePlaceholder.lastChild as HTMLElement).textContent = `${peerName()} has the camera off`;
    peerLabel.hidden = !peer;
    peerLabel.textContent = peer && !peer.audio ? `${peerName()} · muted` : peerName();
    localTile.classList.toggle('no-video', media.stream.getVideoTracks().length === 0);
    renderVerifyBar();
    localTile.classList.toggle('mirror', !media.sharing);
    renderOverlay();
    replace(
      banner,
      status === 'reconnecting' &&
        h(
          'div',
          { class: 'banner', 'data-testid': 'reconnecting' },
          h('span', { class: 'spinner', 'aria-hidden': 'true' }),
          'Reconnecting… the call comes back by itself.',
        ),
      problem && problemNotice(problem),
      offerAudioOnly &&
        media.cameraLive &&
        h(
          'div',
          { class: 'banner', 'data-testid': 'audio-only-offer' },
          "Video can't keep up on this connection. ",
          button('Audio only', 'camera', () => {
            offerAudioOnly = false;
            void media.setCamera(false).then(render);
          }),
        ),
    );
  }

  /** The words to compare, while there is a connection they belong to. */
  function renderVerifyBar(): void {
    verifyBar.update(status === 'connected' || status === 'reconnecting' ? words : undefined, peerName());
  }

  /** The card over the stage while there is nobody to see: the status as its heading, and what happens next. */
  function renderOverlay(): void {
    const shown = status === 'reconnecting' && !peer ? 'waiting' : status;
    const text = (o.link ? OVERLAY_TEXTS : GUEST_OVERLAY_TEXTS)[shown];
    const key = text ? `${status}|${peerName()}` : '';
    if (overlay.dataset.key === key) return; // keep focus and selection in the share box
    overlay.dataset.key = key;
    replace(
      overlay,
      text &&
        h(
          'div',
          { class: 'overlay-card' },
          h('h2', {}, callStatusText(shown, peerName())),
          h('p', {}, text),
          (shown === 'waiting' || shown === 'peer-left') && o.link !== undefined && shareBox(o.link),
        ),
    );
    overlay.hidden = !text;
  }

  /** Something new in the chat: counted and shown as a toast, unless the chat is open. */
  function notify(text: string): void {
    if (panel === 'chat') return;
    unread += 1;
    toast(text);
    renderBadge();
  }

  function renderBadge(): void {
    badge.hidden = unread === 0;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    chatButton.title = unread > 0 ? `Chat (C) · ${unread} unread` : 'Chat (C)';
  }

  /** Our media changed (or the call starts): the other side hears of it, the controls show it. */
  function onMediaChange(): void {
    session.setMediaState(media.state);
    toggles.update();
    relabel(screen, media.sharing ? 'Stop sharing' : 'Share screen', 'screen', SHORTCUT_KEYS.screen);
    screen.classList.toggle('on', media.sharing);
    render();
  }

  function togglePanel(name: PanelName | undefined): void {
    const next = name === panel ? undefined : name;
    panel = next;
    aside.hidden = !next;
    element.classList.toggle('with-panel', !!next);
    // Each panel: its title, the control that opens it, and its content.
    const panels: Record<PanelName, [string, HTMLElement | undefined, HTMLElement | undefined]> = {
      chat: ['Chat and files', chatButton, chatPanel.element],
      quality: ['Call quality', indicator.element, qualityPanel.element],
      settings: ['Devices', settingsButton, settings],
      debug: ['Debug', debugButton, debugPanel?.element],
    };
    for (const [n, [, control]] of Object.entries(panels)) control?.setAttribute('aria-expanded', String(next === n));
    debugPanel?.setOpen(next === 'debug');
    if (!next) return;
    const [title, , content] = panels[next];
    panelTitle.textContent = title;
    if (content && panelBody.firstChild !== content) panelBody.replaceChildren(content);
    if (next === 'chat') {
      unread = 0;
      renderBadge();
      chatPanel.focus();
    }
  }

  function sendFiles(files: FileList | null | undefined): void {
    if (!files || files.length === 0) return;
    for (const file of files) {
      if (!session.sendFile(file)) {
        toast('Files can be sent once the other person is here.');
        return;
      }
    }
    if (panel !== 'chat') togglePanel('chat');
  }

  /** Hangs up: because the person chose to, or because the words they compared differ (then with a warning). */
  async function leave(reason: 'hung-up' | 'codes-differ' = 'hung-up'): Promise<void> {
    if (left) return;
    left = true;
    // The room leaves the address bar at once, so opening its link again in this tab is a real navigation.
    history.replaceState(null, '', location.pathname + location.search);
    await session.hangUp();
    o.onLeave(reason);
  }

  const onKey = (event: KeyboardEvent) => {
    const editing = (event.target as HTMLElement | null)?.closest('input, textarea, select, [contenteditable]');
    const action = editing ? undefined : shortcutAction(event);
    if (event.key === 'Escape' && panel) togglePanel(undefined);
    if (!action) return;
    event.preventDefault();
    // A shortcut presses the control that shows it (not there: no screen sharing in this browser).
    element.querySelector<HTMLElement>(`[aria-keyshortcuts="${SHORTCUT_KEYS[action]}"]`)?.click();
  };
  const onPageHide = () => session.pageHidden();
  document.addEventListener('keydown', onKey);
  window.addEventListener('pagehide', onPageHide);

  media.sendTrack = (kind, track) => session.replaceTrack(kind, track);
  media.shareTrack = (track) => session.shareScreen(track);
  media.addEventListener('change', onMediaChange);
  onMediaChange();
  renderBadge();
  session.start(o.name, events);

  return {
    element,
    dispose: () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('pagehide', onPageHide);
      debugPanel?.setOpen(false);
      chatPanel.dispose();
      media.sendTrack = async () => undefined;
      media.shareTrack = () => undefined;
      media.removeEventListener('change', onMediaChange);
      if (!left) {
        left = true;
        void session.hangUp();
      }
    },
  };
}
