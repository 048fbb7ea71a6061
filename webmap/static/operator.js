/* Operator console: the board of open incidents, intake from phone number to "Tugaskan" by
   keyboard, the resolved jurisdiction, caller history, the recommendation table, the incident's
   lifecycle (lifecycle.js), alerts (alerts.js) and the response-time clocks. */
(function () {
  "use strict";
  const S = window.Siaga;
  const REFRESH_MS = 4000;
  const $ = (id) => document.getElementById(id);
  const INTAKE_FIELDS = { caller_phone: "caller-phone", caller_name: "caller-name", lat: "lat",
    lon: "lat", category: "category", priority: "priority", address: "address",
    description: "description", call_received_at: "caller-phone", call_id: "take-call" };

  SiagaPages.operator = async function (map) {
    const state = { point: null, marker: null, incident: null, lookup: null, me: null };
    S.operator = state;
    fillSelect($("category"), S.vocab("categories"));
    setupMap(map);
    state.alerts = S.Alerts($("alerts"), { onMute: showMute });
    state.sos = S.SosAlarms(state.alerts, { map });  // trackers' SOS, the most urgent alert
    state.recommend = S.RecommendTable($("recommendations"), $("excluded"), pickUnit, drawRoute);
    state.lifecycle = S.Lifecycle({ incident: () => state.incident, me: () => state.me,
      refresh: refreshIncident, recommend: state.recommend });
    state.board = S.Board({ table: $("board"), count: $("board-count"), alerts: state.alerts,
      onOpen: openIncident, selected: () => state.incident && state.incident.id });
    S.FindBox($("find-form"), $("find"), $("find-results"), openIncident);
    bindIntake();
    state.search = S.PlaceSearch($("place-search-slot"), { center: mapCenter, onPick: placeFromSearch });
    bindCalls();
    bindShortcuts();
    $("mute").addEventListener("click", () => state.alerts.setMuted(!state.alerts.muted));
    $("new-report").addEventListener("click", resetIntake);
    setInterval(tickClocks, 1000);
    setInterval(() => { if (state.incident) refreshIncident(); }, REFRESH_MS);
    S.apiFetch("/api/auth/me").then((me) => {
      state.me = me;
      state.board.role = me.role;
      state.alerts.setUser(me.username);
      $("who").textContent = me.username + " · " + S.fmt.label("role", me.role);
      if (state.incident) state.lifecycle.render(state.incident);
    }).catch(() => {});
    $("caller-phone").focus();

    /* The map's part of the console (issue 11 owns how the map itself is built). */
    function setupMap(map) {
      S.loadJurisdictions(map).catch((err) => S.toast("Gagal memuat wilayah: " + err.message, true));
      S.live = S.LiveUnits(map);  // where the units are while the operator decides
      map.on("click", (e) => setLocation(e.latlng.lng, e.latlng.lat));
    }

    function showMute(muted) {
      $("mute").textContent = muted ? "Suara: mati" : "Suara: nyala";
      $("mute").setAttribute("aria-pressed", String(muted));
    }

    function fillSelect(select, options) {
      for (const [value, label] of Object.entries(options)) select.add(new Option(label, value));
      if (!select.length) select.add(new Option("Lainnya", "lainnya"));
    }

    function bindIntake() {
      $("caller-phone").addEventListener("change", () => loadCallerHistory($("caller-phone").value));
      $("coord-go").addEventListener("click", placeFromFields);
      for (const id of ["lat", "lon"]) {
        $(id).addEventListener("keydown", (e) => {
          if (e.key === "Enter") { e.preventDefault(); placeFromFields(); }
        });
      }
      $("intake-form").addEventListener("submit", (e) => { e.preventDefault(); createIncident(); });
      $("intake-form").addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); createIncident(); }
      });
      for (const input of $("intake-form").querySelectorAll("input, select, textarea")) {
        input.addEventListener("input", () => S.clearFieldError(input));
      }
    }

    /* Alt+letter shortcuts (listed on the page); Alt+1..9 picks a recommendation. */
    function bindShortcuts() {
      const keys = {
        n: resetIntake, c: () => $("find").focus(), b: () => $("board").querySelector("tr[data-incident]")?.focus(),
        l: () => ($("place-search-slot").querySelector("input") || $("lat")).focus(),
        v: () => state.incident && state.incident.validity === "pending" && state.lifecycle.validate("valid"),
        m: () => state.alerts.setMuted(!state.alerts.muted),
        p: () => $("take-call").click(),  // "Terima panggilan" (T0 hook, issue 16)
      };
      document.addEventListener("keydown", (e) => {
        if (!e.altKey || e.ctrlKey || e.metaKey) return;
        const key = e.key.length === 1 ? e.key.toLowerCase() : e.code.replace(/^Key|^Digit/, "").toLowerCase();
        const code = e.code.startsWith("Digit") ? e.code.slice(5) : key;
        if (/^[1-9]$/.test(code) && state.incident) {
          e.preventDefault();
          state.recommend.pick(Number(code));
        } else if (keys[code]) {
          e.preventDefault();
          keys[code]();
        }
      });
    }

    async function openIncident(id) {
      try {
        const inc = await S.apiFetch("/api/incidents/" + id);
        $("find-results").innerHTML = "";
        showIncident(inc);
        const point = S.incidentPoint(inc);
        if (point) {
          placeMarker(point[0], point[1]);
          map.setView([point[1], point[0]], Math.max(map.getZoom(), 15));
        }
        $("incident-box").scrollIntoView({ block: "start" });
        loadRecommendations();
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    function placeMarker(lon, lat) {
      if (state.marker) { state.marker.setLatLng([lat, lon]); return; }
      state.marker = L.marker([lat, lon], { title: "Lokasi kejadian (seret untuk memindah)", draggable: true }).addTo(map);
      state.marker.on("dragend", () => {
        const at = state.marker.getLatLng();
        if (state.incident && !state.incident.timestamps.closed_at) relocateIncident(at.lng, at.lat);
        else setLocation(at.lng, at.lat);
      });
    }

    /* The pin of a created incident dragged: the server describes and resolves the new point. */
    async function relocateIncident(lon, lat) {
      const inc = state.incident;
      try {
        const moved = await S.apiFetch("/api/incidents/" + inc.id + "/location", { method: "POST", body: { lon, lat } });
        showIncident(moved);
        S.toast("Lokasi insiden #" + inc.id + " dipindah: " + moved.location_description);
        loadRecommendations();
      } catch (err) {
        placeMarker(inc.lon, inc.lat);  // refused: the pin goes back where the incident is
        S.toast(err.message, true);
      }
    }

    /* The pin's description as the server will store it ("Jl. ... ±30 m, dekat ..., Kel. ..."). */
    async function describePin(lon, lat) {
      $("chain-place").textContent = "…";
      try {
        const place = await S.apiFetch("/api/places/reverse?lat=" + lat + "&lon=" + lon);
        if (state.point && state.point[0] === lon && state.point[1] === lat) $("chain-place").textContent = place.description;
      } catch (err) {
        $("chain-place").textContent = "–";
      }
    }

    function mapCenter() {
      const c = map.getCenter();
      return [c.lng, c.lat];
    }

    /* A search result picked: the incident goes there; its name becomes the address if empty. */
    function placeFromSearch(place) {
      setLocation(place.lon, place.lat);
      map.setView([place.lat, place.lon], Math.max(map.getZoom(), 16));
      if (!$("address").value && place.kind !== "coordinate") $("address").value = place.name;
      $("category").focus();
    }

    function placeFromFields() {
      const lat = parseFloat($("lat").value.replace(",", "."));
      const lon = parseFloat($("lon").value.replace(",", "."));
      if (isNaN(lat) || lat < -90 || lat > 90) return S.fieldError($("lat"), "Lintang harus angka -90 s.d. 90.");
      if (isNaN(lon) || lon < -180 || lon > 180) return S.fieldError($("lon"), "Bujur harus angka -180 s.d. 180.");
      S.clearFieldError($("lat"));
      S.clearFieldError($("lon"));
      setLocation(lon, lat);
      map.setView([lat, lon], Math.max(map.getZoom(), 15));
      $("category").focus();
      return true;
    }

    /* Place the incident (map click, coordinates, or the place search: S.operator.place). */
    async function setLocation(lon, lat) {
      state.point = [lon, lat];
      $("lat").value = lat.toFixed(6);
      $("lon").value = lon.toFixed(6);
      placeMarker(lon, lat);
      describePin(lon, lat);
      for (const level of ["polda", "polres", "polsek", "target"]) $("chain-" + level).textContent = "…";
      try {
        state.lookup = await S.apiFetch("/api/jurisdictions/lookup?lat=" + lat + "&lon=" + lon);
        showChain(state.lookup);
      } catch (err) {
        state.lookup = null;
        for (const level of ["polda", "polres", "polsek", "target"]) $("chain-" + level).textContent = "–";
        S.showApiError(err, { lat: "lat", lon: "lon" });
      }
    }
    state.place = setLocation;

    function showChain(result) {
      for (const level of ["polda", "polres", "polsek"]) {
        const ref = result[level];
        $("chain-" + level).textContent = ref ? ref.name : "–";
      }
      let target = result.response_target_s ? S.fmt.duration(result.response_target_s) : "–";
      if (result.timezone) target += " · " + result.timezone;
      if (result.match === "nearest") target += " · terdekat, " + S.fmt.distance(result.distance_m) + " dari batas";
      $("chain-target").textContent = target;
    }

    async function loadCallerHistory(phone) {
      if (!phone.trim()) return;
      try {
        const history = await S.apiFetch("/api/callers/" + encodeURIComponent(phone));
        S.clearFieldError($("caller-phone"));
        showCallerHistory(history);
      } catch (err) {
        if (err.status !== 404) S.showApiError(err, INTAKE_FIELDS);
      }
    }

    function showCallerHistory(history) {
      const box = $("caller-history");
      if (!history || !history.total) { box.hidden = true; return; }
      box.hidden = false;
      box.className = "history" + (history.flagged ? " flag" : "");
      const recent = (history.recent || []).slice(0, 5).map((r) =>
        '<li><button type="button" class="link" data-open="' + r.incident_id + '">#' + r.incident_id + "</button> " +
        S.escape(S.fmt.label("category", r.category)) + " · " + S.escape(r.validity_label || S.fmt.label("validity", r.validity)) +
        " · " + S.fmt.dateTime(r.created_at, r.timezone) + "</li>").join("");
      box.innerHTML = "<b>Riwayat nomor ini: " + S.fmt.number(history.total) + " laporan</b>" +
        (history.message ? "<br>" + S.escape(history.message) : "") + "<ul>" + recent + "</ul>";
      for (const b of box.querySelectorAll("[data-open]")) {
        b.addEventListener("click", () => openIncident(Number(b.dataset.open)));
      }
      if (history.flagged) {
        state.alerts.raise("flagged_caller", "caller:" + history.phone,
          "Penelepon " + history.phone + ": " + history.message);
      }
    }

    function showDuplicates(duplicates) {
      const box = $("duplicates");
      if (!duplicates || !duplicates.length) { box.hidden = true; return; }
      box.hidden = false;
      box.innerHTML = "<b>Kemungkinan duplikat:</b><ul>" + duplicates.map((d) =>
        '<li><button type="button" class="link" data-merge="' + d.incident_id + '">#' + d.incident_id + "</button> " +
        S.escape(S.fmt.label("category", d.category)) + " · " + S.fmt.distance(d.distance_m) + " · " +
        S.escape(d.reasons.join(", ")) + "</li>").join("") + "</ul>";
      for (const b of box.querySelectorAll("[data-merge]")) {
        b.addEventListener("click", () => { $("merge-into").value = b.dataset.merge; $("merge-go").focus(); });
      }
    }

    function intakeBody() {
      return {
        caller_name: $("caller-name").value, caller_phone: $("caller-phone").value,
        channel: $("channel").value, category: $("category").value,
        priority: Number($("priority").value), description: $("description").value,
        address: $("address").value, lon: state.point[0], lat: state.point[1],
        call_id: state.call ? state.call.id : null,
      };
    }

    /* "Terima panggilan": T0 is the call's ring (telephony) or this moment (no telephony). */
    function bindCalls() {
      $("take-call").addEventListener("click", takeCall);
      const poll = async () => {
        try {
          const waiting = await S.apiFetch("/api/calls?status=waiting");
          $("calls-waiting").textContent = waiting.length ? waiting.length + " panggilan menunggu" : "";
        } catch (err) { /* the connection banner says so */ }
      };
      poll();
      setInterval(poll, REFRESH_MS);
    }

    async function takeCall() {
      if (state.call) return;
      $("take-call").disabled = true;
      try {
        const waiting = await S.apiFetch("/api/calls?status=waiting&limit=1");
        state.call = waiting.length
          ? await S.apiFetch("/api/calls/" + waiting[0].id + "/answer", { method: "POST" })
          : await S.apiFetch("/api/calls/take", { method: "POST", body: {} });
        if (state.call.caller_phone) {
          $("caller-phone").value = state.call.caller_phone;
          loadCallerHistory(state.call.caller_phone);
        }
        $("call-status").textContent = "Panggilan diterima " +
          S.fmtLocal(state.call.rang_at, state.me && state.me.timezone) +
          (state.call.source === "telephony" ? " (dering)" : "");
        $("caller-phone").focus();
      } catch (err) {
        state.call = null;
        $("take-call").disabled = false;
        S.showApiError(err, INTAKE_FIELDS);
      }
    }

    async function createIncident() {
      S.clearFormErrors($("intake-form"));
      if (!$("caller-phone").value.trim()) return S.fieldError($("caller-phone"), "Nomor telepon wajib diisi.");
      if (!$("caller-name").value.trim()) return S.fieldError($("caller-name"), "Nama pelapor wajib diisi.");
      if (!state.point) return S.fieldError($("lat"), "Tandai lokasi kejadian: klik peta, cari tempat, atau ketik koordinat.");
      $("create-incident").disabled = true;
      try {
        const result = await S.apiFetch("/api/incidents", { method: "POST", body: intakeBody() });
        showCallerHistory(result.caller_history);
        showDuplicates(result.possible_duplicates);
        showIncident(result);
        $("incident-box").scrollIntoView({ block: "start" });
        S.toast("Insiden #" + result.id + " dibuat.");
        await loadRecommendations();
        state.board.refresh();  // after the table the operator is waiting for
        const first = $("recommendations").querySelector("button.assign");
        if (first) first.focus();
      } catch (err) {
        S.showApiError(err, INTAKE_FIELDS);
      } finally {
        $("create-incident").disabled = false;
      }
    }

    /* Ready for the next call: empty form, no marker, no incident. */
    function resetIntake() {
      state.incident = null;
      state.point = null;
      state.call = null;
      $("take-call").disabled = false;
      $("call-status").textContent = "Belum ada panggilan diterima";
      if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
      $("intake-form").reset();
      S.clearFormErrors($("intake-form"));
      for (const id of ["incident-box", "caller-history", "duplicates"]) $(id).hidden = true;
      for (const level of ["polda", "polres", "polsek", "target", "place"]) $("chain-" + level).textContent = "–";
      state.lifecycle.stopReassign();
      if (state.routeLayer) { map.removeLayer(state.routeLayer); state.routeLayer = null; }
      $("caller-phone").focus();
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
      const changed = !state.incident || state.incident.id !== inc.id;
      state.incident = inc;
      state.clockAt = Date.now();
      $("incident-box").hidden = false;
      $("incident-id").textContent = "#" + inc.id;
      const where = [inc.polsek, inc.polres].filter(Boolean).map((j) => j.name).join(", ");
      $("incident-status").textContent = [S.fmt.label("status", inc.status), S.fmt.label("validity", inc.validity),
        S.fmt.label("category", inc.category), "prioritas " + S.fmt.label("priority", inc.priority), where]
        .filter(Boolean).join(" · ") + (inc.disposition ? " · " + S.fmt.label("disposition", inc.disposition) : "");
      $("incident-caller").textContent = "Pelapor: " + inc.caller_name + " · " + inc.caller_phone +
        " · " + S.fmt.label("channel", inc.channel) + (inc.address ? " · " + inc.address : "");
      $("incident-location").textContent = "Lokasi: " + (inc.location_description || "–");
      $("incident-log").innerHTML = (inc.log || []).map((entry) =>
        "<li>" + S.fmt.time(entry.at, inc.timezone, true) + " · " + S.escape(entry.actor) + ": " +
        S.escape(entry.message) + "</li>").join("");
      if (changed) {
        state.lifecycle.stopReassign();
        for (const id of ["merge-into", "callback-note", "close-note"]) $(id).value = "";
      }
      state.lifecycle.render(inc);
      tickClocks();
    }

    async function loadRecommendations() {
      if (!state.incident || $("recommend-box").hidden) return;
      try {
        const data = await state.recommend.load(state.incident.id);
        if (data.recommendations.length) drawRoute(data.recommendations[0]);
      } catch (err) {
        state.recommend.clear(err.message);
      }
    }

    /* The road route the unit's ETA was computed on (one engine route call), drawn on the map. */
    async function drawRoute(rec) {
      const incidentId = state.incident.id;
      try {
        const data = await S.apiFetch("/api/incidents/" + incidentId + "/route?unit_id=" + rec.unit_id);
        if (state.routeLayer) map.removeLayer(state.routeLayer);
        state.routeLayer = null;
        if (!state.incident || state.incident.id !== incidentId) return;
        if (!data.route) return S.toast(data.call_sign + ": " + data.eta_how);
        state.routeLayer = L.polyline(data.route.coordinates.map((c) => [c[1], c[0]]),
          { color: "#0d47a1", weight: 5, opacity: 0.8 })
          .bindTooltip(data.call_sign + " · ETA " + S.fmt.duration(data.eta_s) + " · " +
            S.fmt.distance(data.route.distance_m) + " lewat jalan").addTo(map);
      } catch (err) { S.toast(err.message, true); }
    }

    /* A recommendation picked (button, Enter or Alt+n): assign, or the replacement when reassigning. */
    async function pickUnit(rec, button) {
      if (state.lifecycle.reassign) return state.lifecycle.reassignTo(rec);
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
        state.board.refresh();
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
      const running = clock.state === "running";
      const elapsed = (clock.elapsed_s || 0) + (running ? drift : 0);
      const box = $("clock-response").parentElement;
      $("clock-response").textContent = S.fmt.duration(clock.response_s || elapsed);
      let note = clock.message || "";
      if (running && clock.target_s) {
        const left = clock.target_s - elapsed;
        note = left >= 0 ? "sisa " + S.fmt.duration(left) + " dari target " + S.fmt.duration(clock.target_s)
          : "lewat target " + S.fmt.duration(-left);
        box.className = "clock " + (left >= 0 ? "ok" : "late");
      } else {
        box.className = "clock " + (clock.state === "missed" ? "late" : clock.state === "met" ? "ok" : "");
      }
      $("clock-response-note").textContent = note;
      const deadline = inc.accept_deadline && inc.status === "offered" ? new Date(inc.accept_deadline) : null;
      const escBox = $("clock-escalation").parentElement;
      if (deadline) {
        const left = (deadline.getTime() - Date.now()) / 1000;
        $("clock-escalation").textContent = S.fmt.duration(Math.max(left, 0));
        $("clock-escalation-note").textContent = "Polres harus menerima sebelum " + S.fmt.time(inc.accept_deadline, inc.timezone, true);
        escBox.className = "clock " + (left > 0 ? "ok" : "late");
      } else {
        $("clock-escalation").textContent = "–";
        $("clock-escalation-note").textContent = inc.status === "escalated" ? "Diambil alih Polda" :
          S.fmt.label("status", inc.status);
        escBox.className = "clock";
      }
    }
  };
})();
