/* Operator console: place the incident, intake, resolved jurisdiction, caller history,
   ranked units with ETA, one-click assignment, escalation and response-time clocks. */
(function () {
  "use strict";
  const S = window.Siaga;
  const REFRESH_MS = 4000;
  const $ = (id) => document.getElementById(id);

  SiagaPages.operator = async function (map) {
    const state = { point: null, marker: null, incident: null, lookup: null };
    S.operator = state;
    fillSelect($("category"), S.vocab("categories"));
    S.loadJurisdictions(map).catch((err) => S.toast("Gagal memuat wilayah: " + err.message, true));
    S.live = S.LiveUnits(map);  // where the units are while the operator decides
    map.on("click", (e) => setLocation(e.latlng.lng, e.latlng.lat));
    $("coord-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const lat = parseFloat($("lat").value.replace(",", "."));
      const lon = parseFloat($("lon").value.replace(",", "."));
      if (isNaN(lat) || isNaN(lon)) return S.toast("Koordinat tidak valid.", true);
      setLocation(lon, lat);
      map.setView([lat, lon], Math.max(map.getZoom(), 15));
    });
    $("caller-phone").addEventListener("change", () => loadCallerHistory($("caller-phone").value));
    $("intake-form").addEventListener("submit", (e) => { e.preventDefault(); createIncident(); });
    $("new-report").addEventListener("click", resetIntake);
    setInterval(tickClocks, 1000);
    setInterval(() => { if (state.incident) refreshIncident(); }, REFRESH_MS);
    S.apiFetch("/api/auth/me").then((me) => {
      state.me = me;
      $("who").textContent = me.username + " · " + me.role.replace("_", " ");
      if (state.incident) showActions(state.incident);
    }).catch(() => {});
    loadInbox();
    setInterval(loadInbox, REFRESH_MS);

    /* Open incidents in scope not yet sent a unit: new, offered to a Polres, or escalated. */
    async function loadInbox() {
      let list;
      try {
        list = S.incidentList(await S.apiFetch("/api/incidents?open=true"));
      } catch (err) {
        return;
      }
      const waiting = list.filter((i) => ["received", "offered", "accepted", "escalated"].includes(i.status));
      $("inbox-count").textContent = waiting.length ? String(waiting.length) : "";
      $("inbox").innerHTML = waiting.length ? "" : '<li class="hint">Tidak ada.</li>';
      for (const inc of waiting) {
        const li = document.createElement("li");
        li.dataset.incident = inc.id;
        li.innerHTML = "<b>#" + inc.id + "</b> " + S.escape(S.categoryLabel(inc.category)) + " · " +
          S.escape(S.INCIDENT_LABELS[inc.status] || inc.status) + " · " +
          S.escape((inc.polsek || inc.polres || {}).name || "");
        li.addEventListener("click", () => openIncident(inc.id));
        $("inbox").appendChild(li);
      }
    }

    async function openIncident(id) {
      try {
        const inc = await S.apiFetch("/api/incidents/" + id);
        showIncident(inc);
        const point = S.incidentPoint(inc);
        if (point) {
          if (state.marker) state.marker.setLatLng([point[1], point[0]]);
          else state.marker = L.marker([point[1], point[0]], { title: "Lokasi kejadian" }).addTo(map);
          map.setView([point[1], point[0]], Math.max(map.getZoom(), 15));
        }
        $("incident-box").scrollIntoView({ block: "start" });
        loadRecommendations();
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    function fillSelect(select, options) {
      for (const [value, label] of Object.entries(options)) select.add(new Option(label, value));
      if (!select.length) select.add(new Option("lainnya", "lainnya"));
    }

    async function setLocation(lon, lat) {
      state.point = [lon, lat];
      $("lat").value = lat.toFixed(6);
      $("lon").value = lon.toFixed(6);
      if (state.marker) state.marker.setLatLng([lat, lon]);
      else state.marker = L.marker([lat, lon], { title: "Lokasi kejadian" }).addTo(map);
      for (const level of ["polda", "polres", "polsek", "target"]) $("chain-" + level).textContent = "…";
      try {
        state.lookup = await S.apiFetch("/api/jurisdictions/lookup?lat=" + lat + "&lon=" + lon);
        showChain(state.lookup);
      } catch (err) {
        state.lookup = null;
        for (const level of ["polda", "polres", "polsek", "target"]) $("chain-" + level).textContent = "–";
        S.toast(err.message, true);
      }
    }

    function showChain(result) {
      for (const level of ["polda", "polres", "polsek"]) {
        const ref = result[level];
        $("chain-" + level).textContent = ref ? ref.name : "–";
      }
      let target = result.response_target_s ? S.fmtDuration(result.response_target_s) : "–";
      if (result.timezone) target += " · " + result.timezone;
      if (result.match === "nearest") target += " · terdekat, " + S.fmtDistance(result.distance_m) + " dari batas";
      $("chain-target").textContent = target;
    }

    async function loadCallerHistory(phone) {
      if (!phone) return;
      try {
        showCallerHistory(await S.apiFetch("/api/callers/" + encodeURIComponent(phone)));
      } catch (err) {
        if (err.status !== 404) S.toast(err.message, true);
      }
    }

    function showCallerHistory(history) {
      const box = $("caller-history");
      if (!history || !history.total) { box.hidden = true; return; }
      box.hidden = false;
      box.className = "history" + (history.flagged ? " flag" : "");
      const recent = (history.recent || []).slice(0, 5).map((r) =>
        "<li>#" + S.escape(r.id || r.incident_id) + " " + S.escape(S.categoryLabel(r.category)) +
        " · " + S.escape(r.validity || "") + "</li>").join("");
      box.innerHTML = "<b>Riwayat nomor ini: " + history.total + " laporan</b>" +
        (history.message ? "<br>" + S.escape(history.message) : "") + "<ul>" + recent + "</ul>";
    }

    function showDuplicates(duplicates) {
      const box = $("duplicates");
      if (!duplicates || !duplicates.length) { box.hidden = true; return; }
      box.hidden = false;
      box.innerHTML = "<b>Kemungkinan duplikat:</b><ul>" + duplicates.map((d) =>
        "<li>#" + d.incident_id + " " + S.escape(S.categoryLabel(d.category)) + " · " +
        S.fmtDistance(d.distance_m) + " · " + S.escape(d.reasons.join(", ")) + "</li>").join("") + "</ul>";
    }

    async function createIncident() {
      if (!state.point) return S.toast("Tandai lokasi kejadian di peta terlebih dahulu.", true);
      const body = {
        caller_name: $("caller-name").value, caller_phone: $("caller-phone").value,
        channel: $("channel").value, category: $("category").value,
        priority: Number($("priority").value), description: $("description").value,
        address: $("address").value, lon: state.point[0], lat: state.point[1],
      };
      $("create-incident").disabled = true;
      try {
        const result = await S.apiFetch("/api/incidents", { method: "POST", body });
        showCallerHistory(result.caller_history);
        showDuplicates(result.possible_duplicates);
        showIncident(result);
        $("incident-box").scrollIntoView({ behavior: "smooth", block: "start" });
        S.toast("Insiden #" + result.id + " dibuat.");
        loadRecommendations();
      } catch (err) {
        S.toast(err.message, true);
      } finally {
        $("create-incident").disabled = false;
      }
    }

    /* Ready for the next call: empty form, no marker, no incident. */
    function resetIntake() {
      state.incident = null;
      state.point = null;
      if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
      $("intake-form").reset();
      $("coord-form").reset();
      for (const id of ["incident-box", "caller-history", "duplicates"]) $(id).hidden = true;
      for (const level of ["polda", "polres", "polsek", "target"]) $("chain-" + level).textContent = "–";
      $("panel").scrollTop = 0;
    }

    async function refreshIncident() {
      const id = state.incident.id;
      try {
        const inc = await S.apiFetch("/api/incidents/" + id);
        if (state.incident && state.incident.id === id) showIncident(inc);  // not reset meanwhile
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    function showIncident(inc) {
      state.incident = inc;
      state.clockAt = Date.now();
      $("incident-box").hidden = false;
      $("incident-id").textContent = "#" + inc.id;
      const where = [inc.polsek, inc.polres].filter(Boolean).map((j) => j.name).join(", ");
      $("incident-status").textContent = (S.INCIDENT_LABELS[inc.status] || inc.status) +
        " · " + (S.vocab("validity")[inc.validity] || inc.validity) + (where ? " · " + where : "");
      $("incident-status").textContent = $("incident-status").textContent.replace(" · undefined", "");
      $("assigned").innerHTML = (inc.assignments || []).map((a) =>
        "<li>" + S.escape(a.call_sign || "unit " + a.unit_id) + " · " +
        S.escape(S.ASSIGNMENT_LABELS[a.status] || a.status) + (a.send_count > 1 ? " (dikirim " + a.send_count + "×)" : "") +
        (a.alerted_at ? " · <b>belum dikonfirmasi unit!</b>" : "") +
        (a.eta_s ? " · ETA " + S.fmtDuration(a.eta_s) : "") + "</li>").join("") || "<li>–</li>";
      $("incident-log").innerHTML = (inc.log || []).map((entry) =>
        "<li>" + S.fmtLocal(entry.at, inc.timezone) + " · " + S.escape(entry.actor) + ": " +
        S.escape(entry.message) + "</li>").join("");
      showActions(inc);
      tickClocks();
    }

    function showActions(inc) {
      const box = $("incident-actions");
      box.innerHTML = "";
      const actions = [];
      if (inc.validity === "pending") {
        actions.push(["Valid", "validate", { validity: "valid" }]);
        actions.push(["Iseng", "validate", { validity: "prank" }]);
        actions.push(["Tidak valid", "validate", { validity: "invalid" }]);
      }
      // Only a Polres operator may take an offered incident (dispatch enforces it too).
      const role = state.me && state.me.role;
      if (inc.status === "offered" && role === "polres_operator") actions.push(["Terima (Polres)", "accept", {}]);
      for (const [label, path, body] of actions) {
        const button = document.createElement("button");
        button.textContent = label;
        button.dataset.action = path;
        button.addEventListener("click", async () => {
          try {
            await S.apiFetch("/api/incidents/" + inc.id + "/" + path, { method: "POST", body });
            await refreshIncident();
          } catch (err) { S.toast(err.message, true); }
        });
        box.appendChild(button);
      }
    }

    async function loadRecommendations() {
      const tbody = $("recommendations").querySelector("tbody");
      tbody.innerHTML = "<tr><td colspan=6>Menghitung…</td></tr>";
      try {
        const data = await S.apiFetch("/api/incidents/" + state.incident.id + "/recommendations");
        tbody.innerHTML = "";
        for (const rec of data.recommendations) tbody.appendChild(recommendationRow(rec));
        if (data.recommendations.length) drawRoute(data.recommendations[0].unit_id);
        if (!data.recommendations.length) tbody.innerHTML = "<tr><td colspan=6>Tidak ada unit tersedia.</td></tr>";
        $("excluded").innerHTML = data.excluded.map((x) => "<li>" + S.escape(x.call_sign) + ": " +
          S.escape(x.reasons.join(", ")) + "</li>").join("");
      } catch (err) {
        tbody.innerHTML = "";
        S.toast(err.message, true);
      }
    }

    /* The road route the unit's ETA was computed on (one engine route call), drawn on the map. */
    async function drawRoute(unitId) {
      const incidentId = state.incident.id;
      try {
        const data = await S.apiFetch("/api/incidents/" + incidentId + "/route?unit_id=" + unitId);
        if (state.routeLayer) map.removeLayer(state.routeLayer);
        state.routeLayer = null;
        if (!state.incident || state.incident.id !== incidentId) return;
        if (!data.route) return S.toast(data.call_sign + ": " + data.eta_how);
        state.routeLayer = L.polyline(data.route.coordinates.map((c) => [c[1], c[0]]),
          { color: "#0d47a1", weight: 5, opacity: 0.8 })
          .bindTooltip(data.call_sign + " · ETA " + S.fmtDuration(data.eta_s) + " · " +
            S.fmtDistance(data.route.distance_m) + " lewat jalan").addTo(map);
      } catch (err) { S.toast(err.message, true); }
    }

    function recommendationRow(rec) {
      const tr = document.createElement("tr");
      tr.dataset.unit = rec.unit_id;
      tr.innerHTML = "<td><b>" + S.escape(rec.call_sign) + "</b></td><td>" +
        S.escape(S.KIND_LABELS[rec.kind] || rec.kind) + "</td><td>" + S.fmtDuration(rec.eta_s) +
        "</td><td>" + S.fmtDistance(rec.road_distance_m || rec.distance_m) + "</td><td>" + S.escape(rec.reasons.join("; ")) +
        '</td><td><button class="assign">Tugaskan</button></td>';
      tr.querySelector("button").addEventListener("click", (e) => { e.stopPropagation(); assign(rec, e.target); });
      tr.addEventListener("click", () => drawRoute(rec.unit_id));
      tr.title = "Klik untuk melihat rute di peta";
      return tr;
    }

    async function assign(rec, button) {
      button.disabled = true;
      try {
        if (state.incident.validity === "pending") {
          // Sending a unit means the operator judged the call valid; the log records both.
          state.incident = await S.apiFetch("/api/incidents/" + state.incident.id + "/validate", {
            method: "POST", body: { validity: "valid" } });
        }
        await S.apiFetch("/api/incidents/" + state.incident.id + "/assignments", {
          method: "POST", body: { unit_ids: [rec.unit_id], etas: { [rec.unit_id]: rec.eta_s } } });
        S.toast(rec.call_sign + " ditugaskan ke insiden #" + state.incident.id + ".");
        await refreshIncident();
        await loadRecommendations();
      } catch (err) {
        button.disabled = false;
        S.toast(err.message, true);
      }
    }

    function tickClocks() {
      const inc = state.incident;
      if (!inc) return;
      const clock = inc.clock || {};
      const drift = (Date.now() - state.clockAt) / 1000;
      const running = clock.state === "running" || clock.state === undefined;
      const elapsed = (clock.elapsed_s || 0) + (running ? drift : 0);
      const box = $("clock-response").parentElement;
      $("clock-response").textContent = S.fmtDuration(clock.response_s || elapsed);
      let note = clock.message || "";
      if (running && clock.target_s) {
        const left = clock.target_s - elapsed;
        note = left >= 0 ? "sisa " + S.fmtDuration(left) + " dari target " + S.fmtDuration(clock.target_s)
          : "lewat target " + S.fmtDuration(-left);
        box.className = "clock " + (left >= 0 ? "ok" : "late");
      } else {
        box.className = "clock " + (clock.state === "missed" ? "late" : clock.state === "met" ? "ok" : "");
      }
      $("clock-response-note").textContent = note;
      const deadline = inc.accept_deadline && inc.status === "offered" ? new Date(inc.accept_deadline) : null;
      const escBox = $("clock-escalation").parentElement;
      if (deadline) {
        const left = (deadline.getTime() - Date.now()) / 1000;
        $("clock-escalation").textContent = S.fmtDuration(Math.max(left, 0));
        $("clock-escalation-note").textContent = "Polres harus menerima sebelum " + S.fmtLocal(inc.accept_deadline, inc.timezone);
        escBox.className = "clock " + (left > 0 ? "ok" : "late");
      } else {
        $("clock-escalation").textContent = "–";
        $("clock-escalation-note").textContent = inc.status === "escalated" ? "Dikembalikan ke Polda" :
          (S.INCIDENT_LABELS[inc.status] || "");
        escBox.className = "clock";
      }
    }
  };
})();
