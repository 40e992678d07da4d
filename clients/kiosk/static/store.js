// IndexedDB of the kiosk: the DPoP key pair (non-extractable private key), tokens and kiosk state
// (kv), and check-ins waiting to be sent (queue), so nothing is lost when the network drops.
const NAME = 'pass-kiosk';
let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('kv');
      request.result.createObjectStore('queue', { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(store, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const get = (key) => run('kv', 'readonly', (s) => s.get(key));
export const put = (key, value) => run('kv', 'readwrite', (s) => s.put(value, key));
export const del = (key) => run('kv', 'readwrite', (s) => s.delete(key));
export const queueAdd = (item) => run('queue', 'readwrite', (s) => s.put(item));
export const queueAll = () => run('queue', 'readonly', (s) => s.getAll());
export const queueDelete = (id) => run('queue', 'readwrite', (s) => s.delete(id));
