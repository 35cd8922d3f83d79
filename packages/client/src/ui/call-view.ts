import type { CallExtras } from '../call-extras/call-extras';
import type { CallOptions } from '../call-options';
import type { CallEvents, CallSession, CallStatus, PeerInfo } from '../call-session';
import type { CallTimings } from '../call-timings';
import { loadPrefs } from '../device-prefs';
import { callStatusText, formatBytes } from '../format';
import type { LocalMedia } from '../local-media';
import { describeProblem, type ProblemKind } from '../problems';
import type { CallQuality } from '../quality';
import { SHORTCUT_KEYS, shortcutAction } from '../shortcuts';
import { VideoStruggleWatch } from '../video-struggle';
import { callControls } from './call-controls';
import { CallOverlay } from './call-overlay';
import { ChatPanel } from './chat-panel';
import { button, problemNotice, toast } from './common';
import type { DebugPanel } from './debug-panel';
import { applySpeaker, devicePickers } from './devices';
import { h, replace } from './dom';
import { previewVideo } from './lobby';
import { qualityIndicator } from './quality-indicator';
import type { QualityPanel } from './quality-panel';
import { SidePanels } from './side-panels';
import type { VerifyBar } from './verify-bar';

/*
 * The call: the other person large, yourself small, controls at the bottom, and one side panel at a time (chat and
 * files, quality, devices, debug). Everything else — negotiation, reconnects, ICE restarts — happens in CallSession;
 * this view only shows what it reports, in words.
 *
 * Over ~350 lines: it wires every session event to what shows it, in one place; the parts with state of their own
 * are their own files (control bar, overlay, side panels, chat, verification bar, quality indicator and panel, extra
 * controls).
 */

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
  let unread = 0;
  let quality: CallQuality | undefined;
  let words: string[] | undefined;
  const code = () => words?.join(' ');
  const videoStruggle = new VideoStruggleWatch();
  /** The audio-only offer shows (until taken or the camera is off). */
  let offerAudioOnly = false;
  /** Our camera's video is held back (audio-only mode, call-extras/audio-only.ts). */
  let audioOnly = false;
  let timings: CallTimings = {};
  let left = false;
  const peerName = () => peer?.name || lastPeerName || 'Guest';
  /** There is a connection to the other person to measure (perhaps recovering). */
  const hasConnection = () => !!peer && (status === 'connected' || status === 'reconnecting');

  const remoteVideo = h('video', {
    class: 'remote',
    // iOS plays a video fullscreen without playsinline.
    playsinline: true,
    autoplay: true,
    'data-testid': 'remote-video',
    onloadeddata: () => session.remoteFrameShown(),
    onresize: () => render(),
  });
  applySpeaker(remoteVideo, loadPrefs().speaker);
  const soundButton = button({
    label: 'Turn on sound',
    icon: 'mic',
    onClick: () => void remoteVideo.play().then(() => (soundButton.hidden = true)),
    className: 'btn primary sound',
  });
  soundButton.hidden = true;
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  const remotePlaceholder = h(
    'div',
    { class: 'remote-placeholder', 'data-testid': 'peer-camera-off' },
    avatar,
    h('p', {}),
  );
  const peerLabel = h('div', { class: 'peer-label', 'data-testid': 'peer-name' });
  const localTile = h(
    'div',
    { class: 'tile local' },
    previewVideo(media.stream, 'local-video'),
    h('div', { class: 'placeholder' }, 'Camera off'),
  );
  const overlay = new CallOverlay(o.link);
  const banner = h('div', { class: 'banner-slot' });
  const statusText = h('p', { class: 'status', role: 'status', 'data-testid': 'call-status' });
  const indicator = qualityIndicator(() => togglePanel('quality'));
  /** The quality panel, once it was opened (its code loads then). */
  let qualityPanel: QualityPanel | undefined;
  const updateQualityPanel = () => qualityPanel?.update(quality, code(), timings);
  /** The bar with the words to compare, from the first words on (its code loads then: words come late anyway). */
  let verifyBar: Promise<VerifyBar> | undefined;
  const chatPanel = new ChatPanel({
    send: (text) => {
      if (session.sendChat(text)) return true;
      toast('Messages can be sent once the other person is here.');
      return false;
    },
    files: () => session.files,
    peerName,
  });
  // `?debug` only: its code loads at once (a lazy chunk, so nobody else loads it), to hear the log from the start.
  const debugPanel: Promise<DebugPanel> | undefined = o.options.debug
    ? import('./debug-panel').then(({ DebugPanel }) => new DebugPanel(() => session.connection))
    : undefined;
  const settings = h('div', { class: 'settings' }, devicePickers(media, remoteVideo));

  const controls = callControls(media, {
    toggleChat: () => togglePanel('chat'),
    toggleDevices: () => togglePanel('settings'),
    toggleDebug: debugPanel && (() => togglePanel('debug')),
    sendFiles,
    hangUp: () => void leave(),
  });

  const panels = new SidePanels<PanelName>(
    {
      chat: { title: 'Chat and files', control: controls.chat, content: () => chatPanel.element },
      quality: {
        title: 'Call quality',
        control: indicator.element,
        content: async () => {
          const { QualityPanel } = await import('./quality-panel');
          qualityPanel = new QualityPanel();
          updateQualityPanel();
          return qualityPanel.element;
        },
      },
      settings: { title: 'Devices', control: controls.devices, content: () => settings },
      // Without ?debug there is no Debug control to open it.
      debug: {
        title: 'Debug',
        control: controls.debug,
        content: () => debugPanel?.then((debug) => debug.element) ?? h('div'),
      },
    },
    (open) => {
      element.classList.toggle('with-panel', !!open);
      void debugPanel?.then((debug) => debug.setOpen(open === 'debug'));
      if (open === 'chat') {
        unread = 0;
        renderBadge();
        chatPanel.focus();
      }
    },
  );

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
    overlay.element,
    soundButton,
    h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, 'Drop to send'),
  );
  // One row of the call's grid for the banners and the verify bar: they come and go.
  const notices = h('div', { class: 'notices' }, banner);
  const element = h(
    'section',
    { class: 'call', 'aria-label': 'Call' },
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, 'Parley'), statusText, indicator.element),
    notices,
    h('div', { class: 'call-main' }, stage, panels.element),
    controls.element,
  );

  const session = o.session;
  const events: CallEvents = {
    status(next) {
      status = next;
      if (next === 'connected') withExtras((extras) => extras.connected());
      // Nobody connected: the last figures ("Good · direct") would describe a call that is gone.
      if (!hasConnection()) indicator.update(undefined);
      render();
    },
    peer(next) {
      if (next && !peer) {
        withExtras((extras) => extras.peerJoined(peerName()));
        words = undefined; // another connection: other certificates, other words
      }
      peer = next;
      if (next?.name) lastPeerName = next.name;
      render();
    },
    remoteStream(stream) {
      if (remoteVideo.srcObject !== (stream ?? null)) remoteVideo.srcObject = stream ?? null;
      if (stream) {
        remoteVideo.play().catch((error: unknown) => {
          // Safari refuses sound before a gesture on the page unless the page captures camera or microphone (a
          // receive-only person), Chrome without a prior click on the site: a button the person taps plays it.
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
        notify(`${peerName()} wants to send you a file: ${transfer.name} (${formatBytes(transfer.size)})`);
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
      indicator.update(hasConnection() ? next : undefined);
      updateQualityPanel();
    },
    timings(next) {
      timings = next;
      updateQualityPanel();
    },
    ended(reason) {
      // A hang-up here has already handed back (see leave); a problem that ended the call does so now.
      if (left) return;
      left = true;
      o.onLeave(reason);
    },
    log(line) {
      const at = performance.now();
      void debugPanel?.then((debug) => debug.log(line, at));
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
    overlay.update(status, !!peer, peerName());
    replace(
      banner,
      // One line about the connection: while reconnecting, the problem (if known) is said in it, not beside it.
      status === 'reconnecting' ? reconnectingLine() : problem && problemNotice(problem),
      offerAudioOnly &&
        media.cameraLive &&
        !audioOnly &&
        h(
          'div',
          { class: 'banner', 'data-testid': 'audio-only-offer' },
          "Video can't keep up on this connection. ",
          button({
            label: 'Audio only',
            icon: 'camera',
            onClick: () => {
              offerAudioOnly = false;
              withExtras((extras) => void extras.setAudioOnly(true));
            },
            testId: 'take-audio-only',
          }),
        ),
    );
  }

  /** "Reconnecting…", with what is wrong when that is known (the server cannot be reached, say). */
  function reconnectingLine(): HTMLElement {
    const known = problem && describeProblem(problem);
    return h(
      'div',
      { class: 'banner', role: 'status', 'data-testid': 'reconnecting', 'data-problem': problem },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      known ? `Reconnecting… ${known.title} ${known.action}` : 'Reconnecting… the call comes back by itself.',
    );
  }

  /** The words to compare, while there is a connection they belong to. */
  function renderVerifyBar(): void {
    if (!verifyBar && hasConnection() && words) verifyBar = loadVerifyBar();
    void verifyBar?.then((bar) => bar.update(hasConnection() ? words : undefined, peerName()));
  }

  async function loadVerifyBar(): Promise<VerifyBar> {
    const { VerifyBar } = await import('./verify-bar');
    const bar = new VerifyBar(() => void leave('codes-differ'));
    notices.append(bar.element);
    return bar;
  }

  /** Something new in the chat: counted and shown as a toast, unless the chat is open. */
  function notify(text: string): void {
    if (panels.open === 'chat') return;
    unread += 1;
    toast(text);
    renderBadge();
  }

  function renderBadge(): void {
    controls.showUnread(unread);
  }

  /** Our media changed (or the call starts): the other side hears of it, the controls show it. */
  function onMediaChange(): void {
    // In audio-only mode the other side shows "camera off": no video comes.
    session.setMediaState({ ...media.state, video: media.state.video && !audioOnly });
    controls.update();
    render();
  }

  function togglePanel(name: PanelName | undefined): void {
    panels.toggle(name);
  }

  function sendFiles(files: FileList | null | undefined): void {
    if (!files || files.length === 0) return;
    for (const file of files) {
      if (!session.sendFile(file)) {
        toast('Files can be sent once the other person is here.');
        return;
      }
    }
    if (panels.open !== 'chat') togglePanel('chat');
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
    if (event.key === 'Escape' && panels.open) togglePanel(undefined);
    if (!action) return;
    event.preventDefault();
    // A shortcut presses the control that shows it (not there: no screen sharing in this browser).
    element.querySelector<HTMLElement>(`[aria-keyshortcuts="${SHORTCUT_KEYS[action]}"]`)?.click();
  };
  const onPageHide = () => session.pageHidden();
  document.addEventListener('keydown', onKey);
  window.addEventListener('pagehide', onPageHide);

  // The extra controls (camera flip, audio-only, PiP, fullscreen…) load as their own chunk, after the view shows.
  const extras: Promise<CallExtras | undefined> = import('../call-extras/call-extras')
    .then(({ startCallExtras }) =>
      startCallExtras({
        media,
        session,
        remoteVideo,
        call: element,
        camera: controls.camera,
        before: controls.hangUp,
        settings,
        onAudioOnly: (on) => {
          audioOnly = on;
          onMediaChange();
        },
      }),
    )
    .catch(() => undefined); // not loaded (the server went away): the call goes on without them
  function withExtras(use: (extras: CallExtras) => void): void {
    void extras.then((loaded) => loaded && !left && use(loaded));
  }

  media.addEventListener('change', onMediaChange);
  onMediaChange();
  renderBadge();
  session.start(o.name, events);

  return {
    element,
    dispose: () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('pagehide', onPageHide);
      void debugPanel?.then((debug) => debug.setOpen(false));
      chatPanel.dispose();
      media.removeEventListener('change', onMediaChange);
      void extras.then((loaded) => loaded?.dispose());
      if (!left) {
        left = true;
        void session.hangUp();
      }
    },
  };
}
