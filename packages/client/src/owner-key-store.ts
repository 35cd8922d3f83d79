import { importOwnerKey, type OwnerKey } from '@parley/protocol';

/*
 * The owner key in this browser. It arrives once in the owner link's fragment, is imported as a non-extractable
 * WebCrypto key (scripts can sign with it, nothing can read it back out) and kept in IndexedDB, which can store such
 * a key as it is. The address bar then forgets it. Where IndexedDB is unavailable (some private windows) the key
 * lasts as long as the page.
 */

const DATABASE = 'parley';
const STORE = 'keys';
const OWNER_RECORD = 'owner';

let inMemory: OwnerKey | undefined;

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs one request on the key store and closes the database after. */
async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = use(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    database.close();
  }
}

/** Imports the owner key from an owner link and keeps it; throws when the text is not an owner key. */
export async function saveOwnerKey(ownerKey: string): Promise<OwnerKey> {
  const owner = await importOwnerKey(ownerKey);
  inMemory = owner;
  await withStore('readwrite', (store) => store.put(owner, OWNER_RECORD)).catch(() => undefined);
  return owner;
}

/** The owner key kept in this browser, if it has one. */
export async function loadOwnerKey(): Promise<OwnerKey | undefined> {
  if (inMemory) return inMemory;
  const stored = await withStore<OwnerKey | undefined>('readonly', (store) => store.get(OWNER_RECORD)).catch(
    () => undefined,
  );
  inMemory = stored?.key && stored.kid ? stored : undefined;
  return inMemory;
}
