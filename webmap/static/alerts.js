/* Alerts a person notices: a banner list (read out by screen readers) and a tone made with
   WebAudio (no sound file), mutable per operator (remembered in this browser per user). */
(function () {
  "use strict";
  const S = window.Siaga;
  // Tone patterns [frequency Hz, duration s] per alert kind: higher and longer = more urgent.
  const TONES = {
    // A unit's SOS (sos.js): the highest, longest pattern, a two-tone siren.
    sos: [[1400, 0.25], [1000, 0.25], [1400, 0.25], [1000, 0.25], [1400, 0.25], [1000, 0.4]],
    taken_back: [[880, 0.18], [660, 0.18], [880, 0.3]],
    not_acknowledged: [[990, 0.15], [990, 0.15], [990, 0.15]],
    overdue: [[740, 0.25], [520, 0.35]],
    near_target: [[620, 0.25], [620, 0.25]],
    offer_waiting: [[520, 0.2], [660, 0.2]],
    flagged_caller: [[400, 0.4]],
    new_job: [[880, 0.2], [1100, 0.2], [880, 0.2], [1100, 0.2]],
  };

  /* Alerts(box, options): raise(kind, key, message) shows one banner per key and plays a tone. */
  S.Alerts = function (box, options) {
    const opts = options || {};
    const shown = new Map();
    const dismissed = new Set();
    const state = { muted: false, soundAttempts: 0, soundPlayed: 0, raised: [], user: "anon" };
    let audio = null;

    function storageKey() { return "siaga_mute_" + state.user; }

    state.setUser = function (username) {
      state.user = username || "anon";
      state.muted = localStorage.getItem(storageKey()) === "1";
      if (opts.onMute) opts.onMute(state.muted);
    };

    state.setMuted = function (muted) {
      state.muted = !!muted;
      localStorage.setItem(storageKey(), state.muted ? "1" : "0");
      if (opts.onMute) opts.onMute(state.muted);
    };

    /* Plays the kind's tone unless muted; counts attempts (a browser may block autoplay). */
    state.sound = function (kind) {
      if (state.muted) return false;
      state.soundAttempts += 1;
      try {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return false;
        audio = audio || new Ctx();
        if (audio.state === "suspended") audio.resume().catch(() => {});
        let at = audio.currentTime + 0.02;
        for (const [freq, dur] of TONES[kind] || TONES.offer_waiting) {
          const osc = audio.createOscillator();
          const gain = audio.createGain();
          osc.type = "square";
          osc.frequency.value = freq;
          gain.gain.setValueAtTime(0.08, at);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + dur);
          osc.connect(gain).connect(audio.destination);
          osc.start(at);
          osc.stop(at + dur);
          at += dur + 0.06;
        }
        state.soundPlayed += 1;
        return true;
      } catch (err) {
        return false;
      }
    };

    state.raise = function (kind, key, message, onOpen) {
      if (shown.has(key) || dismissed.has(key)) return shown.get(key) || null;
      const li = document.createElement("li");
      li.className = "alert alert-" + kind;
      li.dataset.kind = kind;
      li.dataset.key = key;
      li.innerHTML = '<span class="alert-text"></span>' +
        '<button type="button" class="small alert-close" aria-label="Tutup peringatan">Tutup</button>';
      li.querySelector(".alert-text").textContent = message;
      if (onOpen) {
        li.querySelector(".alert-text").addEventListener("click", onOpen);
        li.classList.add("clickable");
      }
      li.querySelector(".alert-close").addEventListener("click", () => state.clear(key, true));
      box.prepend(li);
      shown.set(key, li);
      state.raised.push({ kind, key, message });
      state.sound(kind);
      return li;
    };

    /* Remove a banner; one the operator dismissed is not raised again for the same key. */
    state.clear = function (key, byUser) {
      const li = shown.get(key);
      if (li) li.remove();
      shown.delete(key);
      if (byUser) dismissed.add(key);
    };

    /* Keep only the banners whose condition still holds (keys of `prefix`). */
    state.retain = function (prefix, keys) {
      for (const key of Array.from(shown.keys())) {
        if (key.startsWith(prefix) && !keys.has(key)) state.clear(key);
      }
    };

    state.keys = () => Array.from(shown.keys());
    return state;
  };
})();
