// The wallet's storage in the browser: one IndexedDB database per resident (the page names it by
// a hash of the account), holding the device key and the credentials. The device key is a P-256
// ECDSA key made non-extractable by WebCrypto: IndexedDB keeps the CryptoKey object itself
// (structured clone), so the private key can sign on this device and can never be read out, not
// even by this script. Its public half is kept as a JWK for proofs of possession.

// Version 2 adds the presentation history (static/present-page.js writes it, present-history.js reads it).
const VERSION = 2;
const KEYS = 'keys';
const CREDENTIALS = 'credentials';
const PRESENTATIONS = 'presentations';
const DEVICE_KEY = 'device';

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** The database name of a holder's wallet. */
export function walletName(holder) {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(holder)) throw new Error('wallet holder tag malformed');
  return `pass-wallet-${holder}`;
}

/** Whether this browser can hold a wallet at all. */
export function walletSupported() {
  return Boolean(globalThis.indexedDB && globalThis.crypto?.subtle && globalThis.isSecureContext);
}

/** The public JWK of the device key as proofs carry it: the key's coordinates only. */
function publicOnly(jwk) {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

export async function openWallet(holder) {
  const open = indexedDB.open(walletName(holder), VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(CREDENTIALS)) db.createObjectStore(CREDENTIALS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(PRESENTATIONS)) db.createObjectStore(PRESENTATIONS, { keyPath: 'id' });
  };
  const db = await promised(open);
  // A newer version opened in another tab waits for this one to let go.
  db.onversionchange = () => db.close();

  async function read(store, key) {
    const transaction = db.transaction(store, 'readonly');
    const value = await promised(transaction.objectStore(store).get(key));
    await done(transaction);
    return value;
  }

  return {
    /**
     * The wallet's device key, made at first use. Two tabs may make one at the same moment: the
     * first stored wins (the add of the second fails and it reads the first's), so a wallet has
     * exactly one key.
     */
    async deviceKey() {
      const held = await read(KEYS, DEVICE_KEY);
      if (held) return held;
      const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
      const record = { id: DEVICE_KEY, privateKey: pair.privateKey, publicJwk: publicOnly(await crypto.subtle.exportKey('jwk', pair.publicKey)), createdAt: new Date().toISOString() };
      const transaction = db.transaction(KEYS, 'readwrite');
      transaction.objectStore(KEYS).add(record);
      try {
        await done(transaction);
        return record;
      } catch {
        return read(KEYS, DEVICE_KEY);
      }
    },

    /** The held credentials, the newest first. */
    async credentials() {
      const transaction = db.transaction(CREDENTIALS, 'readonly');
      const all = await promised(transaction.objectStore(CREDENTIALS).getAll());
      await done(transaction);
      return all.sort((a, b) => String(b.receivedAt).localeCompare(String(a.receivedAt)));
    },

    async keep(credential) {
      const transaction = db.transaction(CREDENTIALS, 'readwrite');
      transaction.objectStore(CREDENTIALS).put(credential);
      await done(transaction);
    },

    /** Records the last status seen for a credential (what the page shows while offline). */
    async noteStatus(id, status) {
      const transaction = db.transaction(CREDENTIALS, 'readwrite');
      const store = transaction.objectStore(CREDENTIALS);
      const credential = await promised(store.get(id));
      if (credential) store.put({ ...credential, status });
      await done(transaction);
    },

    async remove(id) {
      const transaction = db.transaction(CREDENTIALS, 'readwrite');
      transaction.objectStore(CREDENTIALS).delete(id);
      await done(transaction);
    },

    /** Records one answer to a verifier: whom, which facts, when, and how it ended (the history the resident reads). */
    async recordPresentation(entry) {
      const transaction = db.transaction(PRESENTATIONS, 'readwrite');
      transaction.objectStore(PRESENTATIONS).put(entry);
      await done(transaction);
    },

    /** The presentation history, the newest first. */
    async presentations() {
      const transaction = db.transaction(PRESENTATIONS, 'readonly');
      const all = await promised(transaction.objectStore(PRESENTATIONS).getAll());
      await done(transaction);
      return all.sort((a, b) => String(b.at).localeCompare(String(a.at)));
    },

    close() {
      db.close();
    },
  };
}
