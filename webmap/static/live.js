/* Live unit markers fed by GET /api/live/units (server-sent events); shared by the commander
   map and the operator console. */
(function () {
  "use strict";
  const S = window.Siaga;

  /* Markers for every unit; `visible(unit)` decides which are on the map. */
  S.LiveUnits = function (map, options) {
    const opts = options || {};
    const visible = opts.visible || (() => true);
    const layer = L.layerGroup().addTo(map);
    const units = new Map();
    let staleAfter = 120;

    function style(u) {
      const stale = u.fixed_at ? S.secondsSince(u.fixed_at) > staleAfter : true;
      return { radius: u.kind === "R2" ? 6 : 8, color: stale ? "#9e9e9e" : "#212121", weight: 2,
        fillColor: S.STATUS_COLORS[u.status] || "#555", fillOpacity: stale ? 0.35 : 0.95 };
    }

    function popup(u) {
      const age = u.fixed_at ? S.fmtDuration(S.secondsSince(u.fixed_at)) : "–";
      return "<b>" + S.escape(u.call_sign) + "</b> · " + S.escape(S.KIND_LABELS[u.kind] || u.kind) +
        "<br>" + S.escape(S.STATUS_LABELS[u.status] || u.status) + "<br>Umur posisi: " + age +
        (u.link_connected ? "" : "<br><i>pelacak terputus" +
          (u.link_reason_text ? " (" + S.escape(u.link_reason_text) + ")" : "") + "</i>");
    }

    function show(entry) {
      const on = entry.data.lat !== null && visible(entry.data);
      if (on && !layer.hasLayer(entry.marker)) layer.addLayer(entry.marker);
      if (!on && layer.hasLayer(entry.marker)) layer.removeLayer(entry.marker);
    }

    function upsert(u) {
      let entry = units.get(u.id);
      if (!entry && (u.lon === null || u.lat === null)) return;
      if (!entry) {
        const marker = L.circleMarker([u.lat, u.lon], Object.assign({ bubblingMouseEvents: false }, style(u)));
        marker.bindTooltip(S.escape(u.call_sign), { permanent: true, direction: "right",
          offset: [8, 0], className: "unit-label" });
        marker.bindPopup(popup(u));
        entry = { data: u, marker };
        units.set(u.id, entry);
      }
      entry.data = u;
      if (u.lat !== null) {
        entry.marker.setLatLng([u.lat, u.lon]);
        // A path's permanent tooltip stays where it was opened unless told.
        const tip = entry.marker.getTooltip();
        if (tip) tip.setLatLng([u.lat, u.lon]);
      }
      entry.marker.setStyle(style(u));
      entry.marker.setPopupContent(popup(u));
      show(entry);
    }

    const live = {
      units,
      layer,
      refresh: () => units.forEach(show),
      count: () => layer.getLayers().length,
      position: (callSign) => {
        for (const entry of units.values()) {
          if (entry.data.call_sign === callSign) {
            const p = entry.marker.getLatLng();
            return [p.lng, p.lat];
          }
        }
        return null;
      },
    };
    live.stop = S.stream("/api/live/units", (name, data) => {
      if (name !== "units") return;
      staleAfter = data.stale_after_s || staleAfter;
      data.units.forEach(upsert);
      if (opts.onChange) opts.onChange(live);
    }, opts.onState);
    return live;
  };
})();
