/* Siaga 110 basemap, shared by every page: the platform's own vector tiles (GET /tiles/...)
   drawn by MapLibre GL JS as a Leaflet layer, styled by basemap-style.json (day/night).
   Nothing loads from another host; labels use the local fonts (the style has no glyphs URL). */
(function () {
  "use strict";
  const THEME_KEY = "siaga_basemap_theme";
  const TOKEN_KEY = "siaga_token";
  const Basemap = {};

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  /* The police station icon: a navy shield with a white P, drawn once on a canvas. */
  function policeIcon() {
    const size = 40;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#0d47a1";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(size / 2, 2); ctx.lineTo(size - 4, 8); ctx.lineTo(size - 6, 26);
    ctx.lineTo(size / 2, size - 2); ctx.lineTo(6, 26); ctx.lineTo(4, 8); ctx.closePath();
    ctx.fill(); ctx.stroke();
    ctx.fillStyle = "#ffffff";
    ctx.font = "bold 20px 'Noto Sans', 'DejaVu Sans', sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText("P", size / 2, size / 2 - 1);
    return ctx.getImageData(0, 0, size, size);
  }

  /* The style with absolute tile URLs, the night paint applied, and (with a raster base
     configured) no opaque background, so the raster shows beneath the streets. */
  function prepareStyle(style, theme, raster) {
    const copy = JSON.parse(JSON.stringify(style));
    for (const source of Object.values(copy.sources)) {
      // Plain concatenation: URL() would percent-encode the {z}/{x}/{y} placeholders.
      source.tiles = source.tiles.map((t) => (t.startsWith("/") ? window.location.origin + t : t));
    }
    const meta = copy.metadata || {};
    const hidden = raster ? meta["siaga:raster-hidden"] || [] : [];
    copy.layers = copy.layers.filter((layer) => !hidden.includes(layer.id));
    if (theme === "night") {
      const night = meta["siaga:night"] || {};
      for (const layer of copy.layers) Object.assign(layer.paint = layer.paint || {}, night[layer.id] || {});
    }
    return copy;
  }

  /* The streets go in their own pane above Leaflet's tile pane (200), where a SIAGA_TILE_URL
     raster lives, and below the overlays (400: jurisdictions, units, incidents). */
  function basemapPane(map) {
    const name = "siagaBasemap";
    if (!map.getPane(name)) {
      const pane = map.createPane(name);
      pane.style.zIndex = "250";
      pane.style.pointerEvents = "none";
    }
    return name;
  }

  function webglAvailable() {
    try {
      const canvas = document.createElement("canvas");
      return !!(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch (err) {
      return false;
    }
  }

  function whenToken() {
    return new Promise((resolve) => {
      if (token()) return resolve();
      const timer = setInterval(() => { if (token()) { clearInterval(timer); resolve(); } }, 300);
    });
  }

  // A page with its own night palette (the commander wall's html.night) sets the basemap's.
  const pageNight = () => document.documentElement.classList.contains("night");
  Basemap.theme = () => (pageNight() ? "night" : localStorage.getItem(THEME_KEY) || "day");

  /* Add the basemap to a Leaflet map; returns a handle (setTheme, glMap, ready). */
  Basemap.add = function (map, config) {
    const opts = (config && config.basemap) || {};
    const handle = { layer: null, style: null, ready: null, failed: null };
    map.attributionControl.addAttribution(opts.attribution || "© OpenStreetMap contributors");
    if (!window.maplibregl || !L.maplibreGL || !webglAvailable()) {
      handle.failed = "WebGL tidak tersedia: peta jalan tidak digambar";
      return handle;
    }
    const raster = !!(config && config.tiles);
    let sentToken = token();
    // Tiles need a token: ask for none before the login, so no page logs a 401 for them.
    handle.ready = whenToken()
      .then(() => fetch(opts.style || "/static/siaga/basemap-style.json"))
      .then((resp) => resp.json())
      .then((style) => {
        handle.style = style;
        handle.layer = L.maplibreGL({
          style: prepareStyle(style, Basemap.theme(), raster),
          interactive: false,
          pane: basemapPane(map),
          transformRequest: (url) => {
            if (url.startsWith(window.location.origin + "/tiles/") && token()) {
              sentToken = token();
              return { url: url, headers: { Authorization: "Bearer " + sentToken } };
            }
            return { url: url };
          },
        }).addTo(map);
        const gl = handle.layer.getMaplibreMap();
        gl.on("styleimagemissing", (e) => {
          if (e.id === "siaga-police" && !gl.hasImage(e.id)) gl.addImage(e.id, policeIcon(), { pixelRatio: 2 });
        });
        // Tiles asked for before the login had no token: fetch them again once there is one.
        setInterval(() => {
          if (token() && token() !== sentToken) {
            sentToken = token();
            const source = gl.getSource("siaga");
            if (source && source.setTiles) source.setTiles(prepareStyle(style, "day", raster).sources.siaga.tiles);
          }
        }, 1000);
        return handle;
      })
      .catch((err) => { handle.failed = String(err); return handle; });

    handle.glMap = () => (handle.layer ? handle.layer.getMaplibreMap() : null);
    handle.setTheme = function (theme) {
      localStorage.setItem(THEME_KEY, theme);
      const gl = handle.glMap();
      if (gl && handle.style) gl.setStyle(prepareStyle(handle.style, theme, raster));
      document.documentElement.dataset.basemap = theme;
    };
    document.documentElement.dataset.basemap = Basemap.theme();
    addThemeControl(map, handle);
    let shown = Basemap.theme();
    new MutationObserver(() => {
      if (Basemap.theme() === shown) return;
      shown = Basemap.theme();
      const gl = handle.glMap();
      if (gl && handle.style) gl.setStyle(prepareStyle(handle.style, shown, raster));
      document.documentElement.dataset.basemap = shown;
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return handle;
  };

  function addThemeControl(map, handle) {
    const Control = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        const button = L.DomUtil.create("button", "basemap-theme");
        button.type = "button";
        const label = () => { button.textContent = Basemap.theme() === "night" ? "☀ Siang" : "☾ Malam"; };
        label();
        button.title = "Ganti tampilan peta siang/malam";
        L.DomEvent.disableClickPropagation(button);
        L.DomEvent.on(button, "click", () => {
          handle.setTheme(Basemap.theme() === "night" ? "day" : "night");
          label();
        });
        return button;
      },
    });
    new Control().addTo(map);
  }

  window.SiagaBasemap = Basemap;
})();
