/* Unit page (phone-sized): the crew's current job with its location and route, status
   buttons, and sharing the phone's location as the unit's fixes. */
(function () {
  "use strict";
  const S = window.Siaga;
  const REFRESH_MS = 5000;
  const $ = (id) => document.getElementById(id);
  const ORDER = ["sent", "acknowledged", "en_route", "on_scene", "cleared"];

  SiagaPages.unit = async function (map) {
    const state = { unit: null, job: null, position: null, watch: null };
    S.unitPage = state;
    const jobLayer = L.layerGroup().addTo(map);
    S.loadJurisdictions(map, { optional: true }).catch((err) => S.toast("Gagal memuat wilayah: " + err.message, true));
    const crew = S.CrewExtras(map, { acknowledge: () => report("acknowledged"), complete });
    state.crew = crew;
    for (const button of document.querySelectorAll(".buttons button")) {
      // "Selesai" first asks for confirmation and a short result (crew.js).
      button.addEventListener("click", () => (button.dataset.action === "cleared" ? crew.askClear()
        : report(button.dataset.action)));
    }
    $("share-location").addEventListener("change", (e) => (e.target.checked ? share() : unshare()));
    await refresh();
    setInterval(refresh, REFRESH_MS);

    async function refresh() {
      try {
        const data = await S.apiFetch("/api/me/job");
        state.unit = data.unit || state.unit;
        showUnit(state.unit);
        showJob(data.job || null);
        crew.update(data.job || null);
        crew.position(state.position);
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    function showUnit(unit) {
      if (!unit) return;
      $("unit-title").textContent = unit.call_sign + " · " + (S.KIND_LABELS[unit.kind] || unit.kind);
      $("unit-status").textContent = S.STATUS_LABELS[unit.status] || unit.status;
      if (unit.lon !== null && unit.lon !== undefined) state.position = [unit.lon, unit.lat];
    }

    function showJob(job) {
      state.job = job;
      $("job").hidden = !job;
      $("no-job").hidden = !!job;
      jobLayer.clearLayers();
      if (!job) return;
      const inc = job.incident || job;
      $("job-id").textContent = "#" + (inc.id || job.incident_id);
      $("job-category").textContent = S.categoryLabel(inc.category) + " · prioritas " + S.fmt.label("priority", inc.priority);
      $("job-address").textContent = inc.address || "";
      $("job-location").textContent = inc.location_description || "";
      $("job-description").textContent = inc.description || "";
      $("job-eta").textContent = job.eta_s ? S.fmtDuration(job.eta_s) : "–";
      const target = [inc.lat, inc.lon];
      L.marker(target, { title: "Lokasi kejadian" }).bindTooltip("Lokasi kejadian").addTo(jobLayer);
      map.invalidateSize();
      const route = job.route && job.route.coordinates ? job.route.coordinates.map((c) => [c[1], c[0]]) :
        state.position ? [[state.position[1], state.position[0]], target] : null;
      $("job-route").textContent = job.route ? "Rute mengikuti jalan (" +
        S.fmtDistance(job.route.distance_m) + ", rute yang sama dengan ETA)." :
        "Garis putus-putus: arah garis lurus ke lokasi, bukan rute jalan.";
      if (job.route) $("job-eta").textContent = S.fmtDuration(job.route.eta_s);
      showTurns(job.route ? job.route.turns : []);
      // geo: hands the destination to the phone's navigation app (Google Maps, Waze, OsmAnd).
      $("job-nav").hidden = false;
      $("job-nav").href = "geo:" + inc.lat + "," + inc.lon + "?q=" + inc.lat + "," + inc.lon;
      if (route) {
        L.polyline(route, { color: "#0d47a1", weight: 5, opacity: 0.8, dashArray: job.route ? null : "8 6" }).addTo(jobLayer);
        if (state.fitted !== job.id) map.fitBounds(L.latLngBounds(route).pad(0.25));
      } else if (state.fitted !== job.id) {
        map.setView(target, 16);
      }
      state.fitted = job.id;  // fit once per job, then leave the crew's pan and zoom alone
      const distance = state.position ? map.distance([state.position[1], state.position[0]], target) : null;
      $("job-distance").textContent = S.fmtDistance(job.distance_m || distance);
      const step = ORDER.indexOf(job.status);
      for (const button of document.querySelectorAll(".buttons button")) {
        button.disabled = ORDER.indexOf(button.dataset.action) !== step + 1;
      }
    }

    function showTurns(turns) {
      const list = $("job-turns");
      list.innerHTML = (turns || []).map((t) => "<li>" + S.escape(t.text) + "</li>").join("");
      list.hidden = !(turns && turns.length);
    }

    async function report(status) {
      if (!state.job) return;
      try {
        const path = "/api/incidents/" + state.job.incident_id + "/assignments/" + state.job.id + "/status";
        await S.apiFetch(path, { method: "POST", body: { status } });
        S.toast("Status terkirim: " + (S.STATUS_LABELS[status] || status));
        await refresh();
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    async function complete(result) {
      const path = "/api/incidents/" + state.job.incident_id + "/assignments/" + state.job.id + "/complete";
      await S.apiFetch(path, { method: "POST", body: { result } });
      S.toast("Tugas selesai; hasil terkirim.");
      await refresh();
    }

    function share() {
      if (!navigator.geolocation) {
        $("share-state").textContent = "Ponsel ini tidak mendukung lokasi.";
        return;
      }
      $("share-state").textContent = "Menunggu lokasi…";
      state.watch = navigator.geolocation.watchPosition(sendFix, (err) => {
        $("share-state").textContent = "Lokasi tidak tersedia: " + err.message;
      }, { enableHighAccuracy: true, maximumAge: 5000 });
    }

    function unshare() {
      if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
      state.watch = null;
      $("share-state").textContent = "";
    }

    async function sendFix(pos) {
      const c = pos.coords;
      state.position = [c.longitude, c.latitude];
      state.crew.position(state.position);
      const fix = { lat: c.latitude, lon: c.longitude, acc: c.accuracy, tst: Math.floor(pos.timestamp / 1000),
        vel: c.speed, cog: c.heading };
      try {
        await S.apiFetch("/api/me/location", { method: "POST", body: fix });
        $("share-state").textContent = "Lokasi dibagikan " + new Date().toLocaleTimeString("id-ID");
      } catch (err) {
        $("share-state").textContent = "Gagal mengirim lokasi: " + err.message;
      }
    }
  };
})();
