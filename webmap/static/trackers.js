/* Trackers admin page: the units in the user's scope, and per unit its OwnTracks key
   (status, set or rotate, clear) and the app's Device ID (where job notices go). The key typed or generated here goes to the API once and
   is never read back: the API answers only whether a key is set, when and by whom. */
(function () {
  "use strict";
  const S = () => window.Siaga;
  const $ = (id) => document.getElementById(id);
  // Crockford's base32 without look-alikes, as for Traccar Client identifiers.
  const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  const state = { units: [], unit: null };

  function randomKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    const symbols = Array.from(bytes, (b) => ALPHABET[b % 32]).join("");
    return symbols.match(/.{4}/g).join("-");  // 24 symbols, 120 bits, typed in groups
  }

  /* Date and time in the page's zone (WIB by default): a key may have been set days ago. */
  function fmtWhen(iso) {
    if (!iso) return "–";
    const local = new Date(new Date(iso).getTime() + S().zoneOffsetMs(null));
    return local.toISOString().slice(0, 16).replace("T", " ") + " " + S().zoneOf(null);
  }

  function trackerLabel(kind) {
    return (window.SIAGA_CONFIG.tracker_labels || {})[kind] || kind;
  }

  function renderUnits() {
    const rows = state.units.map((u) =>
      '<tr data-id="' + u.id + '"' + (state.unit && state.unit.id === u.id ? ' class="selected"' : "") + ">" +
      "<td>" + S().escape(u.call_sign) + "</td><td>" + S().escape(trackerLabel(u.tracker_kind)) + "</td>" +
      "<td>" + (u.link_connected ? "terhubung" : "terputus" +
        (u.link_reason_text ? " (" + S().escape(u.link_reason_text) + ")" : "")) + "</td></tr>");
    $("units").querySelector("tbody").innerHTML = rows.join("") ||
      '<tr><td colspan="3">Tidak ada unit di wilayah Anda.</td></tr>';
  }

  function renderKey(info) {
    $("key-unit").textContent = info.call_sign;
    $("detail").hidden = true;
    $("key-unit-summary").innerHTML = "<b>" + S().escape(info.call_sign) + "</b> · " +
      S().escape(trackerLabel(info.tracker_kind));
    $("key-state").textContent = info.key_set
      ? "Kunci terpasang sejak " + fmtWhen(info.set_at) + " oleh " + (info.set_by || "?") + "."
      : "Belum ada kunci: pesan terenkripsi dari aplikasi ditolak (encrypted_no_key).";
    $("key-state").dataset.keySet = info.key_set ? "1" : "0";
    $("key-save").textContent = info.key_set ? "Ganti kunci" : "Simpan kunci";
    $("key-clear").hidden = !info.key_set;
    $("key-clear-confirm").hidden = true;
    $("device-state").textContent = info.device
      ? "Pemberitahuan tugas dikirim ke perangkat " + info.device + "."
      : "Belum ada ID perangkat: tugas hanya tampil di halaman unit.";
    $("device-state").dataset.device = info.device || "";
    $("device-clear").hidden = !info.device;
    $("key-panel").hidden = false;
  }

  function keyPath() {
    return "/api/units/" + state.unit.id + "/owntracks-key";
  }

  async function select(unitId) {
    state.unit = state.units.find((u) => u.id === unitId) || null;
    renderUnits();
    if (!state.unit) return;
    $("key-input").value = "";
    $("key-error").textContent = "";
    $("device-input").value = "";
    $("device-error").textContent = "";
    renderKey(await S().apiFetch(keyPath()));
  }

  async function change(method, body, done, what) {
    const part = what || "key";
    $(part + "-error").textContent = "";
    const path = part === "key" ? keyPath() : "/api/units/" + state.unit.id + "/owntracks-device";
    try {
      const info = await S().apiFetch(path, { method, body });
      $(part + "-input").value = "";
      renderKey(info);
      S().toast(done);
      await loadUnits();
    } catch (err) {
      $(part + "-error").textContent = err.message;
    }
  }

  async function loadUnits() {
    state.units = await S().apiFetch("/api/units");
    state.units.sort((a, b) => a.call_sign.localeCompare(b.call_sign));
    renderUnits();
  }

  function wire() {
    $("units").addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-id]");
      if (tr) select(Number(tr.dataset.id));
    });
    $("key-generate").addEventListener("click", () => {
      $("key-input").value = randomKey();
      $("key-input").select();
    });
    $("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const key = $("key-input").value;
      if (!key) {
        $("key-error").textContent = "owntracks_key: wajib diisi";
        return;
      }
      change("PUT", { owntracks_key: key }, "Kunci OwnTracks " + state.unit.call_sign + " disimpan");
    });
    $("device-form").addEventListener("submit", (e) => {
      e.preventDefault();
      change("PUT", { device: $("device-input").value.trim() },
        "ID perangkat " + state.unit.call_sign + " disimpan", "device");
    });
    $("device-clear").addEventListener("click", () =>
      change("DELETE", undefined, "ID perangkat " + state.unit.call_sign + " dihapus", "device"));
    $("key-clear").addEventListener("click", () => { $("key-clear-confirm").hidden = false; });
    $("key-clear-no").addEventListener("click", () => { $("key-clear-confirm").hidden = true; });
    $("key-clear-yes").addEventListener("click", () =>
      change("DELETE", undefined, "Kunci OwnTracks " + state.unit.call_sign + " dihapus"));
  }

  window.SiagaPages.trackers = async function () {
    const me = await S().apiFetch("/api/auth/me");
    $("who").textContent = me.username + " · " + me.role;
    wire();
    await loadUnits();
  };
})();
