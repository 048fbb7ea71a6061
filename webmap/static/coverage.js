/* Coverage layer for the commander map: road not reachable within the target by the Polres's
   ready units (GET /api/coverage), the share per Polsek, and the move-up suggestion. */
(function () {
  "use strict";
  const S = window.Siaga;
  const REFRESH_MS = 30000;

  S.Coverage = function (map, polresId) {
    const layer = L.layerGroup();
    const box = document.getElementById("coverage");
    const toggle = document.getElementById("coverage-toggle");
    let timer = null;

    async function load() {
      const id = polresId();
      if (!id) { box.innerHTML = "<li>Pilih Polres.</li>"; return; }
      try {
        const data = await S.apiFetch("/api/coverage?jurisdiction_id=" + id);
        draw(data);
      } catch (err) {
        box.innerHTML = "<li>" + S.escape(err.message) + "</li>";
      }
    }

    function draw(data) {
      layer.clearLayers();
      box.innerHTML = data.polsek.map((p) => "<li><b>" + S.escape(p.name) + "</b>: " +
        S.escape(p.label) + "</li>").join("") || "<li>Tidak ada Polsek.</li>";
      for (const p of data.polsek) {
        for (const c of p.uncovered) {
          L.circleMarker([c[1], c[0]], { radius: 3, stroke: false, fillColor: "#c62828", fillOpacity: 0.7 })
            .bindTooltip("tidak terjangkau dalam " + Math.round((p.target_s || 0) / 60) + " menit").addTo(layer);
        }
      }
      const move = data.move_up;
      if (move) {
        const li = document.createElement("li");
        li.className = "move-up";
        li.textContent = "Saran: geser " + move.call_sign + " ke titik bertanda, menambah " +
          (move.gain_m / 1000).toFixed(1).replace(".", ",") + " km jalan terjangkau.";
        box.appendChild(li);
        L.polyline([[move.from[1], move.from[0]], [move.to[1], move.to[0]]],
          { color: "#0d47a1", weight: 2, dashArray: "6 4" }).addTo(layer);
        L.circleMarker([move.to[1], move.to[0]], { radius: 8, color: "#0d47a1", weight: 3, fillOpacity: 0 })
          .bindTooltip("Saran posisi " + S.escape(move.call_sign)).addTo(layer);
      }
    }

    toggle.addEventListener("change", () => {
      clearInterval(timer);
      if (toggle.checked) {
        layer.addTo(map);
        load();
        timer = setInterval(load, REFRESH_MS);
      } else {
        map.removeLayer(layer);
        box.innerHTML = "";
      }
    });
    return { reload: () => { if (toggle.checked) load(); } };
  };
})();
