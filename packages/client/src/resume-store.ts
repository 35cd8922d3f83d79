/*
 * The seat this tab holds in a room, kept in sessionStorage so that a reload resumes the same seat (the other side
 * sees `peer-resumed`, not a new person) and a new tab gets a seat of its own.
 */

/** Where this tab keeps its seat's resume token, so a reload gets the same seat back. */
const RESUME_STORAGE_PREFIX = 'parley.resume.';

/** A seat to resume: the member id the server gave us and its resume token. */
export interface ResumableSeat {
  memberId: string;
  token: string;
}

/** The resume token of one room's seat in this tab. */
export class ResumeStore {
  readonly #key: string;
  readonly #storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

  constructor(roomId: string, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage) {
    this.#key = RESUME_STORAGE_PREFIX + roomId;
    this.#storage = storage;
  }

  /** The seat this tab held before a reload, if any. */
  load(): ResumableSeat | undefined {
    const stored = this.#storage.getItem(this.#key);
    return stored ? (JSON.parse(stored) as ResumableSeat) : undefined;
  }

  save(seat: ResumableSeat): void {
    this.#storage.setItem(this.#key, JSON.stringify(seat));
  }

  /** The seat was given up (hang-up): a reload joins afresh. */
  forget(): void {
    this.#storage.removeItem(this.#key);
  }
}
