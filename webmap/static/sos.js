/* Trackers' SOS on the operator and commander consoles (dispatch/alarms.py): polls
   /api/alarms (scoped to the user's area), raises an `sos` alert (alerts.js' most urgent tone,
   repeated while nobody has taken it) with the unit's last position on the map, and lets an
   operator take it ("Terima SOS"; options.canTake false on a watcher's page): who took it and
   when are recorded and shown. */
(function () {
  "use strict";
  const S = window.Siaga;
  const POLL_MS = 3000;
  const REPEAT_TONE_MS = 15000;

  S.SosAlarms = function (alerts, options) {
    const opts = options || {};
    const markers = opts.map ? L.layerGroup().addTo(opts.map) : null;
    const state = { rows: [], lastTone: 0, polls: 0 };

    function where(row) {
      if (row.lat === null || row.lon === null) return "posisi belum diketahui";
      return "posisi terakhir " + S.fmt.number(row.lat, 5) + ", " + S.fmt.number(row.lon, 5) +
        " (" + S.fmt.time(row.fixed_at, row.timezone) + ")";
    }

    function text(row) {
      const repeats = row.report_count > 1 ? " · " + row.report_count + " laporan" : "";
      return row.message + " — " + where(row) + repeats;
    }

    function locate(row) {
      if (opts.map && row.lat !== null) opts.map.setView([row.lat, row.lon], Math.max(opts.map.getZoom(), 16));
    }

    function show(row) {
      const key = "sos:" + row.id;
      const li = alerts.raise("sos", key, text(row), () => locate(row));
      if (!li) return;
      li.querySelector(".alert-text").textContent = text(row);
      if (li.dataset.alarm) return;
      li.dataset.alarm = row.id;
      li.querySelector(".alert-close").hidden = true;  // an SOS is taken, not dismissed
      if (opts.canTake === false) return;  // a watcher (commander) sees who takes it
      const take = document.createElement("button");
      take.type = "button";
      take.className = "small sos-take";
      take.textContent = "Terima SOS";
      take.addEventListener("click", () => acknowledge(row.id));
      li.insertBefore(take, li.querySelector(".alert-close"));
    }

    function taken(row) {
      const li = alerts.raise("sos", "sos:" + row.id, text(row));
      if (!li || li.classList.contains("alert-sos-taken")) return;
      li.classList.add("alert-sos-taken");
      li.querySelector(".alert-text").textContent = text(row) + " — diterima oleh " +
        row.acknowledged_by + ", " + S.fmt.time(row.acknowledged_at, row.timezone);
      const take = li.querySelector(".sos-take");
      if (take) take.remove();
      li.querySelector(".alert-close").hidden = false;
    }

    function drawMarkers(open) {
      if (!markers) return;
      markers.clearLayers();
      for (const row of open) {
        if (row.lat === null) continue;
        L.circleMarker([row.lat, row.lon], { radius: 11, color: "#b71c1c", weight: 3,
          fillColor: "#ff1744", fillOpacity: 0.6, className: "sos-marker" })
          .bindTooltip("SOS " + row.call_sign, { permanent: true, direction: "top" })
          .addTo(markers);
      }
    }

    async function poll() {
      let rows;
      try {
        rows = await S.apiFetch("/api/alarms");
      } catch (err) {
        return;  // the connection banner says the server is away; the next poll retries
      }
      state.rows = rows;
      state.polls += 1;
      const open = rows.filter((row) => !row.acknowledged_at);
      const seenTaken = rows.filter((row) => row.acknowledged_at && alerts.keys().includes("sos:" + row.id));
      for (const row of open) show(row);
      for (const row of seenTaken) taken(row);
      drawMarkers(open);
      const now = Date.now();
      if (!open.length) state.lastTone = 0;
      else if (!state.lastTone) state.lastTone = now;  // raise() just played it
      else if (now - state.lastTone >= REPEAT_TONE_MS) { alerts.sound("sos"); state.lastTone = now; }
    }

    async function acknowledge(id) {
      try {
        const row = await S.apiFetch("/api/alarms/" + id + "/acknowledge", { method: "POST" });
        taken(row);
        S.toast("SOS unit " + row.call_sign + " diterima");
      } catch (err) {
        S.toast(err.message, true);
      }
      poll();
    }

    state.poll = poll;
    state.acknowledge = acknowledge;
    poll();
    setInterval(poll, POLL_MS);
    return state;
  };
})();
