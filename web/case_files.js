// Case files in the page: Seispie .bin and .npy fields, tar archives (download and upload of a whole
// case or its results), IndexedDB storage of saved cases and their results, and cases in links.
"use strict";
(function () {
  const enc = new TextEncoder(), dec = new TextDecoder();

  // Seispie .bin: int32 npt, then npt float32, little-endian.
  function binToFloats(bytes, name) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.byteLength >= 4 ? view.getInt32(0, true) : -1;
    if (n < 1 || bytes.byteLength !== 4 + 4 * n)
      throw new Error(`${name}: not a Seispie .bin field (header npt = ${n}, ${bytes.byteLength} bytes)`);
    return new Float32Array(bytes.slice(4).buffer);
  }
  function floatsToBin(values) {
    const out = new Uint8Array(4 + 4 * values.length);
    new DataView(out.buffer).setInt32(0, values.length, true);
    new Uint8Array(out.buffer, 4).set(new Uint8Array(Float32Array.from(values).buffer));
    return out;
  }
  // .npy of float32 or float64 (little-endian, C order) as {values: Float32Array, shape}.
  function npyToFloats(bytes, name) {
    if (bytes[0] !== 0x93 || dec.decode(bytes.subarray(1, 6)) !== "NUMPY") throw new Error(name + ": not an .npy file");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const major = bytes[6], headerLength = major >= 2 ? view.getUint32(8, true) : view.getUint16(8, true);
    const start = (major >= 2 ? 12 : 10) + headerLength;
    const header = dec.decode(bytes.subarray(major >= 2 ? 12 : 10, start));
    const descr = (header.match(/'descr':\s*'([^']+)'/) || [])[1];
    const shape = ((header.match(/'shape':\s*\(([^)]*)\)/) || [])[1] || "").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    if (/True/.test((header.match(/'fortran_order':\s*(\w+)/) || [])[1] || "")) throw new Error(name + ": Fortran-order .npy is not read; save it in C order");
    if (descr !== "<f4" && descr !== "<f8") throw new Error(`${name}: dtype ${descr} (expected float32 '<f4' or float64 '<f8')`);
    const n = shape.reduce((a, b) => a * b, 1), size = descr === "<f4" ? 4 : 8, values = new Float32Array(n);
    if (bytes.byteLength - start < n * size) throw new Error(name + ": the file ends before its " + n + " values");
    for (let k = 0; k < n; ++k) values[k] = size === 4 ? view.getFloat32(start + 4 * k, true) : view.getFloat64(start + 8 * k, true);
    return { values, shape };
  }

  // ustar archives: 512-byte headers, contents padded to 512 bytes, two zero blocks at the end.
  function tar(files) {
    const parts = [];
    for (const [path, data] of Object.entries(files)) {
      const bytes = typeof data === "string" ? enc.encode(data) : data;
      const h = new Uint8Array(512);
      let name = path, prefix = "";
      if (enc.encode(name).length > 100) {
        const cut = path.lastIndexOf("/", 154);
        prefix = path.slice(0, cut), name = path.slice(cut + 1);
      }
      const put = (text, at, len) => h.set(enc.encode(text).subarray(0, len), at);
      put(name, 0, 100);
      put("0000644\0", 100, 8), put("0000000\0", 108, 8), put("0000000\0", 116, 8);
      put(bytes.length.toString(8).padStart(11, "0") + "\0", 124, 12);
      put(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136, 12);
      put("        ", 148, 8);
      h[156] = 48;  // "0": a regular file
      put("ustar\0", 257, 6), put("00", 263, 2), put(prefix, 345, 155);
      let sum = 0;
      for (const b of h) sum += b;
      put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
      parts.push(h, bytes, new Uint8Array((512 - (bytes.length % 512)) % 512));
    }
    parts.push(new Uint8Array(1024));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, at), (at += p.length);
    return out;
  }
  function untar(bytes) {
    const files = {};
    for (let at = 0; at + 512 <= bytes.length;) {
      const h = bytes.subarray(at, at + 512);
      if (h.every((b) => b === 0)) break;
      const text = (a, n) => dec.decode(h.subarray(a, a + n)).replace(/\0.*$/s, "");
      const size = parseInt(text(124, 12).trim() || "0", 8), type = String.fromCharCode(h[156] || 48);
      const prefix = text(345, 155), path = (prefix ? prefix + "/" : "") + text(0, 100);
      if (type === "0" || type === "\0") files[path.replace(/^\.\//, "")] = bytes.slice(at + 512, at + 512 + size);
      at += 512 + Math.ceil(size / 512) * 512;
    }
    return stripCommonFolder(files);
  }
  // A case packed as "mycase/config.ini, mycase/model/..." is the case "config.ini, model/...".
  function stripCommonFolder(files) {
    const paths = Object.keys(files);
    if (!paths.length || paths.some((p) => !p.includes("/")) || paths.includes("config.ini")) return files;
    const first = paths[0].split("/")[0];
    if (!paths.every((p) => p.startsWith(first + "/"))) return files;
    const out = {};
    for (const p of paths) out[p.slice(first.length + 1)] = files[p];
    return out;
  }

  function download(name, bytes, type = "application/octet-stream") {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const a = document.createElement("a");
    a.href = url, a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // IndexedDB: object store "cases", key = the case's name, value {name, files, results, saved}.
  // A result file larger than 32 MiB is left out (IndexedDB handles very large values badly).
  function openDb() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open("seiswg", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("cases", { keyPath: "name" });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  async function withStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const t = db.transaction("cases", mode), store = t.objectStore("cases");
      const request = work(store);
      t.oncomplete = () => resolve(request && request.result);
      t.onerror = () => reject(t.error);
    });
  }
  const store = {
    list: () => withStore("readonly", (s) => s.getAll()),
    get: (name) => withStore("readonly", (s) => s.get(name)),
    put: (record) => {
      const results = {};
      for (const [p, b] of Object.entries(record.results || {})) if (b.length <= 32 << 20) results[p] = b;
      return withStore("readwrite", (s) => s.put({ ...record, results, saved: Date.now() }));
    },
    remove: (name) => withStore("readwrite", (s) => s.delete(name)),
  };

  // A case in a link: its tar, deflated, base64url, after "#case=". Only small cases fit a URL.
  async function pipeThrough(bytes, stream) {
    return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
  }
  async function caseToLink(files) {
    const packed = await pipeThrough(tar(files), new CompressionStream("deflate-raw"));
    let s = "";
    for (let k = 0; k < packed.length; k += 8192) s += String.fromCharCode.apply(null, packed.subarray(k, k + 8192));
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  async function linkToCase(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return untar(await pipeThrough(bytes, new DecompressionStream("deflate-raw")));
  }

  window.seiswgFiles = { binToFloats, floatsToBin, npyToFloats, tar, untar, stripCommonFolder, download, store,
                         caseToLink, linkToCase, enc, dec };
})();
