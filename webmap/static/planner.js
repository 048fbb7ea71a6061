/* Planner analysis: heat layer, hexagon bins by p90 response time, share within target per
   Polsek, breakdown by category and hour, CSV and GeoJSON export. */
(function () {
  "use strict";
  const S = window.Siaga;
  const $ = (id) => document.getElementById(id);
  const P90_STEPS = [[300, "#1a9850"], [600, "#91cf60"], [900, "#fee08b"], [1200, "#fc8d59"], [Infinity, "#d73027"]];
  const SHARE_STEPS = [[0.5, "#d73027"], [0.7, "#fc8d59"], [0.85, "#fee08b"], [0.95, "#91cf60"], [Infinity, "#1a9850"]];

  SiagaPages.planner = async function (map) {
    const state = { layer: null, jurLayer: null };
    S.planner = state;
    // Dates are local days: the desk's own calendar date, not the UTC one ("sv-SE" is ISO).
    const day = (at) => at.toLocaleDateString("sv-SE");
    const today = new Date();
    $("p-to").value = day(today);
    $("p-from").value = day(new Date(today.getTime() - 29 * 86400000));
    try {
      state.jurLayer = await S.loadJurisdictions(map);
    } catch (err) {
      S.toast("Gagal memuat wilayah: " + err.message, true);
    }
    $("period-form").addEventListener("submit", (e) => { e.preventDefault(); show(); });
    $("p-layer").addEventListener("change", show);
    for (const [id, format] of [["export-csv", "csv"], ["export-geojson", "geojson"]]) {
      $(id).addEventListener("click", (e) => { e.preventDefault(); download(format); });
    }
    show();

    function period() {
      return "from=" + $("p-from").value + "&to=" + $("p-to").value;
    }

    function color(steps, value) {
      for (const [limit, c] of steps) if (value < limit) return c;
      return steps[steps.length - 1][1];
    }

    /* Only the latest request draws: an earlier, slower answer must not overwrite it. */
    async function show() {
      const seq = (state.seq = (state.seq || 0) + 1);
      const kind = $("p-layer").value;
      const paths = { heat: "heat", hex: "hexbins", share: "share" };
      try {
        const [summary, data] = await Promise.all([
          S.apiFetch("/api/planner/summary?" + period()),
          S.apiFetch("/api/planner/" + paths[kind] + "?" + period()),
        ]);
        if (seq !== state.seq) return;
        showSummary(summary);
        if (state.layer) map.removeLayer(state.layer);
        state.layer = null;
        if (kind === "heat") showHeat(data);
        else if (kind === "hex") showHex(data);
        else showShare(data);
        state.shown = seq;
      } catch (err) {
        S.toast(err.message, true);
      }
    }

    const pct = (share) => (share === null ? "–" : Math.round(share * 100) + "%");
    /* Unverified arrivals: how many, and their own median (never folded into the target share). */
    const unverified = (x) => x.arrived_unverified
      ? x.arrived_unverified + " (median " + S.fmtDuration(x.unverified.median_response_s) + ")" : "0";

    function showSummary(s) {
      $("p-label").textContent = "Periode " + s.period_label;
      $("s-count").textContent = s.total;
      $("s-arrived").textContent = s.arrived;
      $("s-verified").textContent = s.arrived_verified;
      $("s-within").textContent = pct(s.within_target_share);
      $("s-p90").textContent = S.fmtDuration(s.p90_response_s);
      $("s-unverified").textContent = unverified(s);
      $("by-category").querySelector("tbody").innerHTML = s.by_category.map((c) =>
        "<tr><td>" + S.escape(S.categoryLabel(c.category)) + "</td><td>" + c.count + "</td><td>" +
        c.arrived_verified + "</td><td>" + S.fmtDuration(c.median_response_s) + "</td><td>" +
        S.fmtDuration(c.p90_response_s) + "</td><td>" + pct(c.within_target_share) + "</td><td>" +
        unverified(c) + "</td></tr>").join("");
      const max = Math.max(1, ...s.by_hour.map((h) => h.count));
      $("by-hour").innerHTML = s.by_hour.map((h) =>
        '<div title="' + h.hour + ':00 · ' + h.count + " insiden, " + h.arrived_unverified +
        ' belum terverifikasi" style="height:' + Math.round(100 * h.count / max) +
        '%">' + (h.hour % 6 === 0 ? "<span>" + h.hour + "</span>" : "") + "</div>").join("");
    }

    function legend(steps, fmt) {
      let lower = 0;
      $("legend").innerHTML = steps.map(([limit, c]) => {
        const text = limit === Infinity ? "≥ " + fmt(lower) : fmt(lower) + "–" + fmt(limit);
        lower = limit;
        return '<span><i style="background:' + c + '"></i>' + text + "</span>";
      }).join("");
    }

    function showHeat(data) {
      // leaflet.heat dims points below maxZoom (by 2^n); city views are zoom 12+.
      state.layer = L.heatLayer(data.points, { radius: 35, blur: 20, max: 0.5, minOpacity: 0.35, maxZoom: 12 }).addTo(map);
      $("legend").innerHTML = "<span>Semakin panas: semakin banyak insiden dan semakin lama responsnya " +
        "dibanding target (" + data.points.length + " kedatangan terverifikasi)</span>";
    }

    function showHex(data) {
      state.layer = L.geoJSON(data, {
        style: (f) => ({ color: "#333", weight: 0.5, fillOpacity: 0.7,
          fillColor: f.properties.p90_response_s === null ? "#bdbdbd" : color(P90_STEPS, f.properties.p90_response_s) }),
        onEachFeature: (f, l) => l.bindTooltip(f.properties.count + " insiden · p90 " +
          S.fmtDuration(f.properties.p90_response_s) + " (" + f.properties.arrived_verified +
          " terverifikasi, " + f.properties.arrived_unverified + " belum)"),
      }).addTo(map);
      legend(P90_STEPS, (v) => Math.round(v / 60) + " mnt");
    }

    function showShare(data) {
      state.layer = L.geoJSON(data, {
        style: (f) => ({ color: "#333", weight: 1, fillOpacity: 0.75,
          fillColor: f.properties.within_target_share === null ? "#bdbdbd" : color(SHARE_STEPS, f.properties.within_target_share) }),
        onEachFeature: (f, l) => l.bindTooltip(S.escape(f.properties.name) + ": " +
          (f.properties.within_target_share === null ? "tidak ada data" :
            Math.round(f.properties.within_target_share * 100) + "% dalam target (" +
            f.properties.arrived_verified + " terverifikasi; " + f.properties.arrived_unverified +
            " belum terverifikasi)")),
      }).addTo(map);
      legend(SHARE_STEPS, (v) => Math.round(v * 100) + "%");
    }

    /* Exports go through apiFetch's token, so build the file in the page. */
    async function download(format) {
      const resp = await fetch("/api/planner/export." + format + "?" + period(), {
        headers: S.token() ? { Authorization: "Bearer " + S.token() } : {} });
      if (!resp.ok) return S.toast("Ekspor gagal (" + resp.status + ")", true);
      const url = URL.createObjectURL(await resp.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = "siaga-insiden-" + $("p-from").value + "-" + $("p-to").value + "." + format;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }
  };
})();
