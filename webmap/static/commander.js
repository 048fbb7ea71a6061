/* Commander live map: jurisdictions coloured by open incidents and targets, units live (SSE). */
(function () {
  "use strict";
  const S = window.Siaga;
  const COLORS = { none: "#2e7d32", open: "#f9a825", late: "#c62828" };
  const INCIDENT_REFRESH_MS = 5000;

  SiagaPages.commander = async function (map) {
    const state = { incidents: [], jurLayer: null };
    S.commander = state;
    const incidentLayer = L.layerGroup().addTo(map);
    try {
      state.jurLayer = await S.loadJurisdictions(map);
    } catch (err) {
      S.toast("Gagal memuat wilayah: " + err.message, true);
    }
    fillFilters();
    for (const id of ["f-polres", "f-polsek", "f-kind", "f-status"]) {
      document.getElementById(id).addEventListener("change", () => {
        if (id === "f-polres") fillPolsek();
        if (id === "f-polres" || id === "f-polsek") zoomToFilter();
        redrawAll();
      });
    }
    const live = S.LiveUnits(map, { visible: unitVisible, onChange: countUnits, onState: (on) => {
      const el = document.getElementById("live-state");
      el.textContent = on ? "langsung" : "terputus, menyambung ulang…";
      el.className = "live" + (on ? " on" : "");
    } });
    S.live = live;
    // Trackers' SOS: banner, tone and the unit's last position; an operator takes it.
    state.alerts = S.Alerts(document.getElementById("alerts"));
    state.sos = S.SosAlarms(state.alerts, { map, canTake: false });
    // Wall mode, unit list, unit-incident links, incident card (wall.js).
    const wall = S.Wall(map, { visible: unitVisible, onFleet: () => { live.refresh(); countUnits(); } });
    state.wall = wall;
    // Coverage against the target for the filtered Polres (or the first one), on request.
    const coverage = S.Coverage(map, () => document.getElementById("f-polres").value ||
      (features("polres")[0] || { properties: {} }).properties.id);
    document.getElementById("f-polres").addEventListener("change", () => coverage.reload());
    loadIncidents();
    setInterval(loadIncidents, INCIDENT_REFRESH_MS);
    setInterval(tick, 1000);

    function features(level) {
      return ((S.jurisdictions && S.jurisdictions.features) || []).filter((f) => f.properties.level === level);
    }

    function fillFilters() {
      const polres = document.getElementById("f-polres");
      for (const f of features("polres")) polres.add(new Option(f.properties.name, f.properties.id));
      fillPolsek();
    }

    function fillPolsek() {
      const polres = document.getElementById("f-polres").value;
      const polsek = document.getElementById("f-polsek");
      polsek.length = 1;
      for (const f of features("polsek")) {
        if (!polres || String(f.properties.parent_id) === polres) polsek.add(new Option(f.properties.name, f.properties.id));
      }
    }

    function zoomToFilter() {
      const id = document.getElementById("f-polsek").value || document.getElementById("f-polres").value;
      if (!state.jurLayer) return;
      state.jurLayer.eachLayer((l) => {
        if (id && String(l.feature.properties.id) === id) map.fitBounds(l.getBounds());
      });
      if (!id) map.fitBounds(state.jurLayer.getBounds());
    }

    /* The jurisdiction ids the Polres/Polsek filter selects (null: everything). */
    function selectedJurisdictions() {
      const polsek = document.getElementById("f-polsek").value;
      const polres = document.getElementById("f-polres").value;
      if (polsek) return new Set([Number(polsek)]);
      if (!polres) return null;
      const ids = new Set([Number(polres)]);
      for (const f of features("polsek")) if (String(f.properties.parent_id) === polres) ids.add(f.properties.id);
      return ids;
    }

    function unitVisible(u) {
      const kind = document.getElementById("f-kind").value;
      const status = document.getElementById("f-status").value;
      const ids = selectedJurisdictions();
      // Where the unit is now (its current Polsek and Polres), not only where it is based.
      const where = state.wall ? state.wall.current(u.id, u.home_jurisdiction_id) : [u.home_jurisdiction_id];
      return (!kind || u.kind === kind) && (!status || u.status === status)
        && (!ids || where.some((id) => ids.has(id)));
    }

    function incidentVisible(inc) {
      const ids = selectedJurisdictions();
      return !ids || ids.has(S.jid(inc, "polsek")) || ids.has(S.jid(inc, "polres"));
    }

    function countUnits() {
      document.getElementById("sum-units").textContent = live.count();
    }

    async function loadIncidents() {
      try {
        const data = await S.apiFetch("/api/console/board");  // open incidents, most urgent first
        state.incidents = data.incidents;
      } catch (err) {
        // Keep the last incidents on screen (greyed by the connection banner): an empty list
        // would read as "no open incidents, every Polsek clear".
        if (!err.offline && err.status !== 404) S.toast("Gagal memuat insiden: " + err.message, true);
        if (err.status === 404) state.incidents = [];
      }
      redrawIncidents();
      if (state.wall) state.wall.setBoard(state.incidents);
    }

    function isLate(inc) {
      const target = inc.response_target_s;
      if (!target) return false;
      const onScene = S.stamp(inc, "on_scene");
      const end = onScene ? new Date(onScene).getTime() : Date.now();
      return (end - new Date(S.stamp(inc, "call_received")).getTime()) / 1000 > target;
    }

    function redrawIncidents() {
      incidentLayer.clearLayers();
      const list = document.getElementById("incident-list");
      list.innerHTML = "";
      const byPolsek = new Map();
      const shown = state.incidents.filter(incidentVisible);
      for (const inc of shown) {
        const late = isLate(inc);
        const key = S.jid(inc, "polsek") || S.jid(inc, "polres");
        byPolsek.set(key, byPolsek.get(key) === "late" || late ? "late" : "open");
        const point = S.incidentPoint(inc);
        if (point) {
          L.circleMarker([point[1], point[0]], { radius: 9, color: late ? COLORS.late : "#e65100",
            weight: 3, fillColor: "#fff", fillOpacity: 0.9 })
            .bindTooltip("#" + inc.id + " " + S.escape(S.categoryLabel(inc.category)))
            .addTo(incidentLayer);
        }
        const li = document.createElement("li");
        li.dataset.incident = inc.id;
        li.className = late ? "late" : "";
        const units = (inc.units || []).map((u) => u.call_sign).join(", ");
        li.innerHTML = "<b>#" + inc.id + "</b> " + S.escape(S.categoryLabel(inc.category)) +
          " · " + S.escape(S.fmt.label("status", inc.status)) + (units ? " · " + S.escape(units) : "") +
          ' · <span class="clock-text"></span>';
        li.tabIndex = 0;
        li.addEventListener("click", () => {
          if (point) map.setView([point[1], point[0]], 16);
          state.wall.card(inc.id);
        });
        list.appendChild(li);
      }
      document.getElementById("sum-incidents").textContent = shown.length;
      document.getElementById("sum-overdue").textContent = shown.filter(isLate).length;
      if (state.jurLayer) {
        state.jurLayer.eachLayer((l) => {
          const p = l.feature.properties;
          if (p.level !== "polsek") return;
          l.setStyle(S.jurisdictionStyle(l.feature, COLORS[byPolsek.get(p.id) || "none"]));
        });
      }
      tick();
    }

    function redrawAll() {
      live.refresh();
      if (state.wall) state.wall.renderFleet();
      countUnits();
      redrawIncidents();
    }

    function tick() {
      for (const li of document.querySelectorAll("#incident-list li")) {
        const inc = state.incidents.find((i) => String(i.id) === li.dataset.incident);
        if (!inc) continue;
        li.querySelector(".clock-text").textContent = S.clockText(inc);
      }
    }
  };
})();
