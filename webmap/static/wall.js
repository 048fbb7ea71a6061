/* Commander wall additions: wall mode (1920x1080 from three metres: large type, day and night
   palettes), the unit list with status, fix age and the Polsek the unit is in now, lines
   linking each unit to its incident, and an incident card with its timeline. */
(function () {
  "use strict";
  const S = window.Siaga;
  const $ = (id) => document.getElementById(id);
  const FLEET_REFRESH_MS = 5000;

  /* Wall(map, {onFleet(), selected()}) -> {fleet: Map(id -> unit), current(unit), card(id)}. */
  S.Wall = function (map, options) {
    const opts = options || {};
    const wall = { fleet: new Map(), cardId: null, board: [] };
    const linkLayer = L.layerGroup().addTo(map);
    const root = document.documentElement;
    const params = new URLSearchParams(location.search);

    function setMode(on) {
      root.classList.toggle("wall", on);
      $("wall-toggle").setAttribute("aria-pressed", String(on));
      $("wall-toggle").textContent = on ? "Mode meja" : "Mode dinding";
      localStorage.setItem("siaga_wall", on ? "1" : "0");
      setTimeout(() => map.invalidateSize(), 50);
    }
    function setNight(on) {
      root.classList.toggle("night", on);
      $("palette-toggle").setAttribute("aria-pressed", String(on));
      $("palette-toggle").textContent = on ? "Siang" : "Malam";
      localStorage.setItem("siaga_night", on ? "1" : "0");
    }
    setMode(params.get("wall") === "1" || (params.get("wall") !== "0" && localStorage.getItem("siaga_wall") === "1"));
    setNight(params.get("palette") === "malam" || (params.get("palette") !== "siang" && localStorage.getItem("siaga_night") === "1"));
    $("wall-toggle").addEventListener("click", () => setMode(!root.classList.contains("wall")));
    $("palette-toggle").addEventListener("click", () => setNight(!root.classList.contains("night")));
    $("card-close").addEventListener("click", () => { wall.cardId = null; $("incident-card").hidden = true; });

    async function loadFleet() {
      try {
        const units = await S.apiFetch("/api/console/units");
        wall.fleet = new Map(units.map((u) => [u.id, u]));
      } catch (err) {
        return;
      }
      renderFleet();
      drawLinks();
      if (opts.onFleet) opts.onFleet();
    }

    /* Where a unit is now (current Polsek/Polres ids), falling back to its home base. */
    wall.current = function (unitId, homeId) {
      const u = wall.fleet.get(unitId);
      if (!u || u.current_polsek_id === null) return [homeId];
      return [u.current_polsek_id, u.current_polres_id];
    };

    function renderFleet() {
      const tbody = $("fleet").querySelector("tbody");
      const shown = Array.from(wall.fleet.values()).filter((u) => !opts.visible || opts.visible(u));
      $("unit-count").textContent = S.fmt.number(shown.length);
      tbody.innerHTML = "";
      for (const u of shown) {
        const tr = document.createElement("tr");
        tr.dataset.unit = u.id;
        tr.className = "status-" + u.status + (u.fix_stale ? " stale" : "") + (u.not_acknowledged ? " late" : "");
        tr.innerHTML = "<td><b>" + S.escape(u.call_sign) + "</b> " + S.escape(S.fmt.label("kind", u.kind)) + "</td>" +
          '<td><i class="dot" style="background:' + (S.STATUS_COLORS[u.status] || "#555") + '"></i>' +
          S.escape(S.fmt.label("unit", u.status)) + "</td>" +
          '<td class="num">' + (u.fix_age_s === null ? "tanpa posisi" : S.fmt.age(u.fix_age_s) + " lalu") + "</td>" +
          "<td>" + S.escape(u.current_polsek || "–") + "</td>" +
          "<td>" + (u.incident_id ? '<button type="button" class="link" data-card="' + u.incident_id + '">#' +
            u.incident_id + "</button>" : "–") + "</td>";
        tbody.appendChild(tr);
      }
      for (const b of tbody.querySelectorAll("[data-card]")) {
        b.addEventListener("click", () => wall.card(Number(b.dataset.card)));
      }
    }
    wall.renderFleet = renderFleet;

    /* A dashed line from each assigned unit to its incident; the selected incident's in bold. */
    function drawLinks() {
      linkLayer.clearLayers();
      const byId = new Map(wall.board.map((i) => [i.id, i]));
      for (const u of wall.fleet.values()) {
        const inc = u.incident_id && byId.get(u.incident_id);
        if (!inc || u.lat === null) continue;
        const live = S.live && S.live.position(u.call_sign);
        const from = live ? [live[1], live[0]] : [u.lat, u.lon];
        const bold = wall.cardId === inc.id;
        L.polyline([from, [inc.lat, inc.lon]], { color: u.not_acknowledged ? "#c62828" : "#6a1b9a",
          weight: bold ? 7 : 4, dashArray: "10 8", opacity: 0.9, className: "unit-link" })
          .bindTooltip(u.call_sign + " → #" + inc.id).addTo(linkLayer);
      }
    }

    wall.setBoard = function (rows) {
      wall.board = rows;
      drawLinks();
      if (wall.cardId) wall.card(wall.cardId, true);
    };

    /* The incident card: what, where, units, and its timeline (the buku mutasi). */
    wall.card = async function (id, quiet) {
      let inc;
      try {
        inc = await S.apiFetch("/api/incidents/" + id);
      } catch (err) {
        if (!quiet) S.toast(err.message, true);
        return;
      }
      wall.cardId = id;
      $("incident-card").hidden = false;
      $("card-id").textContent = "#" + inc.id;
      $("card-summary").textContent = [S.fmt.label("category", inc.category),
        "prioritas " + S.fmt.label("priority", inc.priority), S.fmt.label("status", inc.status),
        (inc.polsek || inc.polres || {}).name, inc.clock && inc.clock.message].filter(Boolean).join(" · ");
      const active = (inc.assignments || []).filter((a) => !a.released_at);
      $("card-units").textContent = active.length ? "Unit: " + active.map((a) =>
        a.call_sign + " (" + S.fmt.label("assignment", a.status) + ")").join(", ") : "Belum ada unit.";
      $("card-timeline").innerHTML = (inc.log || []).map((e) => "<li><b>" + S.fmt.time(e.at, inc.timezone) +
        "</b> " + S.escape(e.message) + "</li>").join("");
      if (!quiet) map.setView([inc.lat, inc.lon], Math.max(map.getZoom(), 15));
      drawLinks();
    };

    loadFleet();
    setInterval(loadFleet, FLEET_REFRESH_MS);
    return wall;
  };
})();
