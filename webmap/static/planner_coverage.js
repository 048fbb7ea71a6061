/* Planner: coverage against the target for a chosen local hour, from the fleet's stored
   positions (GET /api/planner/coverage): road and ground share per Polsek of
   the median day, and the road points not reached in time drawn on the map. */
(function () {
  "use strict";
  const S = window.Siaga;
  const $ = (id) => document.getElementById(id);
  const pct = (v) => (v === null || v === undefined ? "–" : Math.round(v * 100) + "%");

  S.PlannerCoverage = async function (map) {
    const layer = L.layerGroup().addTo(map);
    const hours = $("cov-hour");
    for (let h = 0; h < 24; h++) hours.add(new Option(String(h).padStart(2, "0") + ":00", h));
    hours.value = "17";
    try {
      const data = await S.apiFetch("/api/map/jurisdictions");
      for (const f of data.features.filter((x) => x.properties.level === "polres")) {
        $("cov-polres").add(new Option(f.properties.name, f.properties.id));
      }
    } catch (err) {
      $("cov-result").innerHTML = "<li>" + S.escape(err.message) + "</li>";
    }
    $("cov-form").addEventListener("submit", (e) => { e.preventDefault(); show(); });

    async function show() {
      const query = "jurisdiction_id=" + $("cov-polres").value + "&hour=" + hours.value +
        "&history_days=" + $("cov-days").value;
      $("cov-result").innerHTML = "<li>Menghitung…</li>";
      try {
        draw(await S.apiFetch("/api/planner/coverage?" + query));
      } catch (err) {
        $("cov-result").innerHTML = "<li>" + S.escape(err.message) + "</li>";
      }
    }

    function draw(data) {
      layer.clearLayers();
      const when = data.history_at ? S.escape(new Date(data.history_at).toISOString().slice(0, 10)) : null;
      const head = when
        ? "<li>Hari median: " + when + " · " + data.units_ready + " unit siap</li>"
        : "<li>Tidak ada unit siap tercatat pada jam ini.</li>";
      $("cov-result").innerHTML = head + data.polsek.map((p) => "<li><b>" + S.escape(p.name) +
        "</b>: " + (p.share === null || !p.target_s ? S.escape(p.label) : "jalan " + pct(p.share) +
        ", wilayah " + pct(p.area_share) + " terjangkau dalam " + Math.round(p.target_s / 60) +
        " menit") + "</li>").join("");
      for (const p of data.polsek) {
        for (const c of p.uncovered) {
          L.circleMarker([c[1], c[0]], { radius: 3, stroke: false, fillColor: "#c62828", fillOpacity: 0.7 })
            .addTo(layer);
        }
      }
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (window.SIAGA_CONFIG.page === "planner" && $("cov-form")) S.PlannerCoverage(S.map());
  });
})();
