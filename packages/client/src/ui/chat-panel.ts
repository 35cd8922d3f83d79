import type { ChatEntry } from '../call-session';
import type { FileTransfers, Transfer } from '../file-transfer';
import { transferStatus } from '../format';
import { MAX_CHAT_MESSAGE_LENGTH } from '../peer-messages';
import { button } from './common';
import { h, replace } from './dom';

/*
 * The conversation: chat messages and file transfers in one timeline, as in a messaging app. A file offer from
 * the other person waits here for Accept; transfers show progress, rate and Cancel; a received file gets a Save link.
 */

export interface ChatPanelActions {
  send(text: string): boolean;
  /** The call's file transfers, while someone is there to accept, decline or cancel them. */
  files(): Pick<FileTransfers<Blob>, 'accept' | 'decline' | 'cancel'> | undefined;
  peerName(): string;
}

/** Shortest time between two progress redraws of a transfer. */
const PROGRESS_REDRAW_MS = 150;

/** The chat and files panel. */
export class ChatPanel {
  readonly element: HTMLElement;
  readonly #log = h('ol', {
    class: 'chat-log',
    role: 'log',
    'aria-label': 'Messages',
    'data-testid': 'chat-log',
  });
  readonly #empty = h('p', { class: 'muted empty' }, 'Messages and files go straight to the other person, encrypted.');
  readonly #cards = new Map<string, HTMLElement>();
  readonly #downloads: string[] = [];
  readonly #drawnAt = new WeakMap<HTMLElement, number>();
  readonly #actions: ChatPanelActions;

  constructor(actions: ChatPanelActions) {
    this.#actions = actions;
    const input = h('input', {
      class: 'input',
      'aria-label': 'Message',
      placeholder: 'Message',
      maxlength: MAX_CHAT_MESSAGE_LENGTH,
      autocomplete: 'off',
      'data-testid': 'chat-input',
    });
    const form = h(
      'form',
      {
        class: 'chat-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const text = input.value.trim();
          if (text && actions.send(text)) input.value = '';
        },
      },
      input,
      h(
        'button',
        { type: 'submit', class: 'btn primary', 'aria-label': 'Send message', 'data-testid': 'chat-send' },
        'Send',
      ),
    );
    this.element = h('div', { class: 'chat' }, this.#empty, this.#log, form);
  }

  /** Focuses the message box (when the panel opens). */
  focus(): void {
    this.element.querySelector('input')?.focus();
  }

  addMessage(entry: ChatEntry): void {
    const who = entry.from === 'me' ? 'You' : this.#actions.peerName();
    const time = new Date(entry.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    this.#append(
      h(
        'li',
        { class: `msg ${entry.from}` },
        h('span', { class: 'msg-meta' }, `${who} · ${time}`),
        h('span', { class: 'msg-text' }, entry.text),
      ),
    );
  }

  /** Shows or updates a transfer's card. */
  updateTransfer(transfer: Transfer<Blob>): void {
    let card = this.#cards.get(transfer.id);
    if (!card) {
      card = h('li', {
        class: `msg file ${transfer.direction === 'send' ? 'me' : 'peer'}`,
        'data-testid': 'file-transfer',
      });
      this.#cards.set(transfer.id, card);
      this.#append(card);
    }
    // Progress arrives up to every PROGRESS_REPORT_MS; redrawing more often than the eye can follow only slows the
    // transfer, and while bytes flow only the figures change: the bar and the status line are updated where they are.
    const now = performance.now();
    if (card.dataset.state === 'transferring' && transfer.state === 'transferring') {
      if (now - (this.#drawnAt.get(card) ?? 0) < PROGRESS_REDRAW_MS) return;
      this.#drawnAt.set(card, now);
      const bar = card.querySelector('progress');
      const status = card.querySelector('.file-status');
      if (bar && status) {
        bar.value = transfer.bytes;
        status.textContent = transferStatus(transfer);
        return;
      }
    }
    this.#drawnAt.set(card, now);
    const active = transfer.state === 'transferring' || transfer.state === 'verifying';
    const actions: HTMLElement[] = [];
    if (transfer.state === 'offered' && transfer.direction === 'receive') {
      actions.push(
        button({
          label: 'Accept',
          onClick: () => this.#actions.files()?.accept(transfer.id),
          className: 'btn primary',
          testId: 'file-accept',
        }),
        button({ label: 'Decline', onClick: () => this.#actions.files()?.decline(transfer.id) }),
      );
    } else if (transfer.state === 'offered' || active) {
      actions.push(
        button({ label: 'Cancel', onClick: () => this.#actions.files()?.cancel(transfer.id), testId: 'file-cancel' }),
      );
    }
    if (transfer.state === 'done' && transfer.result) {
      const url = URL.createObjectURL(transfer.result);
      this.#downloads.push(url);
      actions.push(h('a', { class: 'btn primary', href: url, download: transfer.name }, 'Save'));
    }
    card.dataset.state = transfer.state;
    replace(
      card,
      h('span', { class: 'msg-meta' }, transfer.direction === 'send' ? 'You' : this.#actions.peerName()),
      h('span', { class: 'file-name' }, transfer.name),
      active &&
        h('progress', {
          max: transfer.size || 1,
          value: transfer.state === 'verifying' ? transfer.size : transfer.bytes,
          'aria-label': `${transfer.name} progress`,
        }),
      h('span', { class: 'file-status' }, transferStatus(transfer)),
      actions.length > 0 && h('div', { class: 'row' }, ...actions),
    );
  }

  /** Frees received files (the call view is going away). */
  dispose(): void {
    for (const url of this.#downloads) URL.revokeObjectURL(url);
  }

  #append(item: HTMLElement): void {
    this.#empty.hidden = true;
    const atBottom = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 40;
    this.#log.append(item);
    if (atBottom) this.#log.scrollTop = this.#log.scrollHeight;
  }
}
