/* Siaga 110 shared page code: apiFetch with bearer token + login form, SSE over fetch,
   clocks and time zones, jurisdiction layer. Every page script registers SiagaPages[name]. */
(function () {
  "use strict";
  const TOKEN_KEY = "siaga_token";
  const SILENCE_MS = 25000;
  const Siaga = {};
  window.SiagaPages = window.SiagaPages || {};

  Siaga.STATUS_LABELS = {
    available: "Tersedia", dispatched: "Ditugaskan", en_route: "Menuju lokasi",
    on_scene: "Di lokasi", returning: "Kembali", off_duty: "Lepas dinas",
    out_of_service: "Tidak beroperasi",
  };
  Siaga.INCIDENT_LABELS = {
    received: "Baru masuk", offered: "Ditawarkan ke Polres", accepted: "Diterima Polres",
    escalated: "Dikembalikan ke Polda", dispatched: "Unit ditugaskan", on_scene: "Unit di lokasi",
    cleared: "Selesai di lokasi", closed: "Ditutup",
  };
  Siaga.ASSIGNMENT_LABELS = {
    sent: "Tugas terkirim", acknowledged: "Diterima unit", en_route: "Menuju lokasi",
    on_scene: "Di lokasi", cleared: "Selesai", cancelled: "Dibatalkan",
  };
  Siaga.KIND_LABELS = { R4: "Mobil", R2: "Motor", boat: "Kapal", other: "Lainnya" };
  Siaga.STATUS_COLORS = {
    available: "#2e7d32", dispatched: "#f9a825", en_route: "#ef6c00", on_scene: "#6a1b9a",
    returning: "#0277bd", off_duty: "#757575", out_of_service: "#424242",
  };

  const REFRESH_KEY = "siaga_refresh";
  const DEVICE_KEY = "siaga_device";
  Siaga.token = () => sessionStorage.getItem(TOKEN_KEY);
  Siaga.logout = () => sessionStorage.removeItem(TOKEN_KEY);

  /* This browser's device id: the refresh token works only from here. */
  Siaga.deviceId = function () {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(12));
      id = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  };

  /* A new access token from the rotating refresh token; false: log in again. */
  let refreshPromise = null;
  Siaga.refresh = function () {
    if (refreshPromise) return refreshPromise;
    refreshPromise = (async () => {
      const token = localStorage.getItem(REFRESH_KEY);
      if (!token) return false;
      const resp = await fetch("/api/auth/refresh", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token, device_id: Siaga.deviceId() }),
      });
      const data = await resp.json().catch(() => ({}));
      if (!resp.ok || !data.access_token) {
        if (resp.status === 401) localStorage.removeItem(REFRESH_KEY);
        return false;
      }
      sessionStorage.setItem(TOKEN_KEY, data.access_token);
      localStorage.setItem(REFRESH_KEY, data.refresh_token);
      return true;
    })().finally(() => { refreshPromise = null; });
    return refreshPromise;
  };
  Siaga.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function authHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    const token = Siaga.token();
    if (token) headers.Authorization = "Bearer " + token;
    return headers;
  }

  let loginPromise = null;
  /* Show the login form once; resolves when POST /api/auth/token gave a token. */
  Siaga.login = function () {
    if (loginPromise) return loginPromise;
    loginPromise = new Promise((resolve) => {
      const box = document.createElement("div");
      box.className = "login";
      box.innerHTML =
        '<form id="login-form"><h2>Masuk Siaga 110</h2>' +
        '<label>Nama pengguna <input name="username" id="login-username" autocomplete="username" required></label>' +
        '<label>Kata sandi <input name="password" id="login-password" type="password" autocomplete="current-password" required></label>' +
        '<p class="error" id="login-error"></p><button class="primary" type="submit">Masuk</button></form>';
      document.body.appendChild(box);
      box.querySelector("form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = new URLSearchParams(new FormData(event.target));
        body.set("device_id", Siaga.deviceId());
        const resp = await fetch("/api/auth/token", { method: "POST", body });
        const data = await resp.json().catch(() => ({}));
        if (!resp.ok || !data.access_token) {
          box.querySelector("#login-error").textContent = data.message || "Nama pengguna atau kata sandi salah.";
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, data.access_token);
        if (data.refresh_token) localStorage.setItem(REFRESH_KEY, data.refresh_token);
        box.remove();
        loginPromise = null;
        resolve();
      });
    });
    return loginPromise;
  };

  /* fetch() against the API: JSON in and out, bearer token, login form on 401. */
  Siaga.apiFetch = async function (path, options) {
    const opts = Object.assign({ method: "GET" }, options || {});
    const headers = { Accept: "application/json" };
    let body = opts.body;
    if (body !== undefined && !(body instanceof FormData) && typeof body !== "string") {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      let resp;
      try {
        resp = await fetch(path, { method: opts.method, body, headers: authHeaders(headers) });
      } catch (err) {
        Siaga.connection.set("api", false);
        const error = new Error("Koneksi terputus: server tidak terjangkau");
        error.offline = true;
        throw error;
      }
      Siaga.connection.set("api", resp.status < 502);
      if (resp.status === 401) {
        Siaga.logout();
        if (!(await Siaga.refresh())) await Siaga.login();
        continue;
      }
      const text = await resp.text();
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (err) {
        data = { message: "Jawaban server tidak terbaca (" + resp.status + ")" };
      }
      if (!resp.ok) {
        const error = new Error((data && (data.message || data.detail)) || "Permintaan gagal (" + resp.status + ")");
        error.status = resp.status;
        error.data = data;
        throw error;
      }
      return data;
    }
    throw new Error("Gagal masuk.");
  };

  /* Honest screens: when the API or the live stream is unreachable, every page says
     "Koneksi terputus" and greys the last data it has (body.offline), never an all-clear. */
  Siaga.connection = (function () {
    const down = new Set();
    let since = null;
    function banner() {
      let el = document.getElementById("connection-banner");
      if (!el) {
        el = document.createElement("div");
        el.id = "connection-banner";
        el.setAttribute("role", "alert");
        el.hidden = true;
        document.body.prepend(el);
      }
      return el;
    }
    function render() {
      const el = banner();
      const offline = down.size > 0;
      document.body.classList.toggle("offline", offline);
      el.hidden = !offline;
      if (offline) {
        el.textContent = "Koneksi terputus sejak " + new Date(since).toLocaleTimeString("id-ID") +
          ": data di layar adalah data terakhir dan mungkin sudah tidak berlaku. Menyambung ulang…";
      }
    }
    return {
      set(channel, up) {
        const was = down.size > 0;
        if (up) down.delete(channel); else down.add(channel);
        if (!was && down.size) since = Date.now();
        if (document.body) render();
      },
      offline: () => down.size > 0,
    };
  })();

  /* Server-sent events read through fetch (so the bearer header goes along); reconnects. */
  Siaga.stream = function (path, onEvent, onState) {
    let stopped = false;
    const state = onState || function () {};
    async function readOnce() {
      // The server sends at least a keep-alive every 15 s: silence longer than SILENCE_MS means
      // the network dropped without closing the connection, so the stream is cut and retried.
      const abort = new AbortController();
      let heard = Date.now();
      const watchdog = setInterval(() => { if (Date.now() - heard > SILENCE_MS) abort.abort(); }, 1000);
      try { await readBody(abort, () => { heard = Date.now(); }); } finally { clearInterval(watchdog); }
    }
    async function readBody(abort, onBytes) {
      const resp = await fetch(path, { headers: authHeaders({ Accept: "text/event-stream" }), signal: abort.signal });
      if (resp.status === 401) {
        Siaga.logout();
        if (!(await Siaga.refresh())) await Siaga.login();
        return;
      }
      if (!resp.ok || !resp.body) throw new Error("stream " + resp.status);
      state(true);
      Siaga.connection.set("stream", true);
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      while (!stopped) {
        const { value, done } = await reader.read();
        if (done) break;
        onBytes();
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          dispatchEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    }
    function dispatchEvent(chunk) {
      let name = "message";
      const data = [];
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
    (async function loop() {
      while (!stopped) {
        try { await readOnce(); } catch (err) { /* reconnect below */ }
        state(false);
        if (!stopped) Siaga.connection.set("stream", false);
        if (!stopped) await Siaga.sleep(2000);
      }
    })();
    return () => { stopped = true; };
  };

  /* Seconds as m:ss or h:mm:ss, with a minus sign when negative. */
  Siaga.fmtDuration = function (seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    const sign = seconds < 0 ? "-" : "";
    let s = Math.floor(Math.abs(seconds));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    return sign + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  };

  /* Zone offsets and the fallback for a zone-less jurisdiction come from the server
     (jurisdictions/timezones.py) in the page config; no zone rule is written here. */
  Siaga.zones = () => (window.SIAGA_CONFIG || {}).zones || { offsets_h: {}, fallback: null };
  Siaga.zoneOf = function (tz) {
    const zones = Siaga.zones();
    return zones.offsets_h[tz] !== undefined ? tz : zones.fallback;
  };
  Siaga.zoneOffsetMs = (tz) => Siaga.zones().offsets_h[Siaga.zoneOf(tz)] * 3600 * 1000;

  /* A UTC ISO time shown in the incident's zone (WIB/WITA/WIT). */
  Siaga.fmtLocal = function (iso, tz) {
    if (!iso) return "–";
    const local = new Date(new Date(iso).getTime() + Siaga.zoneOffsetMs(tz));
    return local.toISOString().slice(11, 19) + " " + Siaga.zoneOf(tz);
  };

  Siaga.secondsSince = (iso) => (Date.now() - new Date(iso).getTime()) / 1000;

  Siaga.fmtDistance = function (m) {
    if (m === null || m === undefined) return "–";
    return m >= 1000 ? (m / 1000).toFixed(1) + " km" : Math.round(m) + " m";
  };

  let toastTimer = null;
  Siaga.toast = function (message, isError) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.className = "toast show" + (isError ? " error" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.className = "toast"; }, 6000);
  };

  Siaga.escape = function (text) {
    const div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  };

  /* The jurisdiction polygons: they alone draw the map when no tile layer is configured. */
  Siaga.loadJurisdictions = async function (map, options) {
    const opts = options || {};
    let data;
    try {
      data = await Siaga.apiFetch("/api/map/jurisdictions");
    } catch (err) {
      // A role without the map layer (403) still gets a working page, just no polygons.
      if (err.status === 403 && opts.optional) return null;
      throw err;
    }
    const layer = L.geoJSON(data, {
      style: (f) => Siaga.jurisdictionStyle(f, opts.fill),
      onEachFeature: (f, l) => {
        // Few polygons (a city): name every Polsek on the map, which matters with no tiles.
        const label = f.properties.level === "polsek" && data.features.length <= 60;
        l.bindTooltip(Siaga.escape(f.properties.name), label
          ? { permanent: true, direction: "center", className: "jur-label" } : { sticky: true });
        if (opts.onEachFeature) opts.onEachFeature(f, l);
      },
    }).addTo(map);
    layer.eachLayer((l) => { if (l.feature.properties.level !== "polsek") l.bringToFront(); });
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    Siaga.jurisdictions = data;
    return layer;
  };

  Siaga.jurisdictionStyle = function (feature, fill) {
    const level = feature.properties.level;
    if (level === "polsek") {
      return { color: "#37474f", weight: 1, fillColor: fill || "#cfd8dc", fillOpacity: 0.3 };
    }
    return { color: level === "polda" ? "#0d47a1" : "#1a237e", weight: level === "polda" ? 3 : 2,
      fill: false, interactive: false, dashArray: level === "polda" ? "6 4" : null };
  };

  /* Incident lists come as a bare array or wrapped ({items: [...]}). */
  Siaga.incidentList = function (data) {
    if (Array.isArray(data)) return data;
    return (data && (data.items || data.incidents || data.results)) || [];
  };

  /* [lon, lat] of an incident, whichever shape the API gives it. */
  Siaga.incidentPoint = function (inc) {
    const loc = inc.location || inc;
    if (loc.lon !== undefined && loc.lat !== undefined) return [Number(loc.lon), Number(loc.lat)];
    if (loc.coordinates) return loc.coordinates;
    if (loc.geometry && loc.geometry.coordinates) return loc.geometry.coordinates;
    return null;
  };

  /* Jurisdiction id of an incident at a level (nested object or flat *_id field). */
  Siaga.jid = function (inc, level) {
    const ref = inc[level];
    if (ref && typeof ref === "object") return ref.id;
    return inc[level + "_id"] === undefined ? null : inc[level + "_id"];
  };

  /* A timestamp of an incident: timestamps.{name} or timestamps.{name}_at or {name}_at. */
  /* Response time: stops at the first arrival (or at closing); runs only until then. */
  Siaga.responseSeconds = function (inc) {
    const start = new Date(Siaga.stamp(inc, "call_received")).getTime();
    const end = Siaga.stamp(inc, "on_scene") || Siaga.stamp(inc, "closed");
    return ((end ? new Date(end).getTime() : Date.now()) - start) / 1000;
  };

  Siaga.clockText = function (inc) {
    const elapsed = Siaga.responseSeconds(inc);
    const arrived = Boolean(Siaga.stamp(inc, "on_scene"));
    const target = inc.response_target_s;
    let text = Siaga.fmtDuration(elapsed);
    if (!arrived && Siaga.stamp(inc, "closed")) return text + " (ditutup tanpa unit di lokasi)";
    if (target) {
      const left = target - elapsed;
      if (arrived) text += left >= 0 ? " (tiba, target tercapai)" : " (tiba, lewat " + Siaga.fmtDuration(-left) + ")";
      else text += left >= 0 ? " (sisa " + Siaga.fmtDuration(left) + ")" : " (lewat " + Siaga.fmtDuration(-left) + ")";
    } else if (arrived) {
      text += " (tiba)";
    }
    if (arrived && inc.arrival_verified === false) text += ", belum terverifikasi GPS";
    return text;
  };

  Siaga.stamp = function (inc, name) {
    const ts = inc.timestamps || {};
    return ts[name] || ts[name + "_at"] || inc[name + "_at"] || null;
  };

  Siaga.vocab = (kind) => (window.SIAGA_CONFIG.vocab || {})[kind] || {};
  Siaga.categoryLabel = (code) => Siaga.vocab("categories")[code] || String(code || "").replace(/_/g, " ");

  Siaga.map = () => window[window.SIAGA_CONFIG.map];

  document.addEventListener("DOMContentLoaded", () => {
    // The street basemap under everything a page draws (webmap/static/basemap.js).
    if (window.SiagaBasemap) Siaga.basemap = window.SiagaBasemap.add(Siaga.map(), window.SIAGA_CONFIG);
    const start = window.SiagaPages[window.SIAGA_CONFIG.page];
    if (start) start(Siaga.map());
  });
  window.Siaga = Siaga;
})();
