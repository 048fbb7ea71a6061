/* Crew page additions: a new job rings and vibrates until acknowledged, one tap calls the
   caller back (tel:), "Selesai" asks for confirmation and a short result, and the unit's own
   position stays on the map with or without a job. */
(function () {
  "use strict";
  const S = window.Siaga;
  const $ = (id) => document.getElementById(id);
  const RING_EVERY_MS = 2500;
  const VIBRATE = [400, 200, 400, 200, 400];

  /* CrewExtras(map, {acknowledge(), complete(result)}) -> {update(job), position(lonlat)}. */
  S.CrewExtras = function (map, actions) {
    const crew = { ringing: null, rings: 0, vibrations: 0 };
    const sound = S.Alerts(document.createElement("ul"));  // only its tone; no banner list here
    const ownLayer = L.layerGroup().addTo(map);

    crew.update = function (job) {
      const inc = job ? job.incident || job : null;
      const call = $("job-call");
      call.hidden = !(inc && inc.caller_phone);
      if (inc && inc.caller_phone) {
        call.href = "tel:" + inc.caller_phone;
        call.textContent = "Telepon pelapor" + (inc.caller_name ? " (" + inc.caller_name + ")" : "");
      }
      if (job && job.status === "sent") startRing(job);
      else stopRing();
      if (!job) $("clear-form").hidden = true;
    };

    function startRing(job) {
      if (crew.ringing === job.id) return;
      stopRing();
      crew.ringing = job.id;
      $("ring").hidden = false;
      $("ring-text").textContent = "Tugas baru #" + job.incident_id + ": " +
        S.fmt.label("category", (job.incident || job).category);
      $("ring-ack").focus();
      const ring = () => {
        crew.rings += 1;
        sound.sound("new_job");
        if (navigator.vibrate) { navigator.vibrate(VIBRATE); crew.vibrations += 1; }
      };
      ring();
      crew.timer = setInterval(ring, RING_EVERY_MS);
    }

    function stopRing() {
      if (crew.timer) clearInterval(crew.timer);
      crew.timer = null;
      crew.ringing = null;
      $("ring").hidden = true;
      if (navigator.vibrate) navigator.vibrate(0);
    }
    crew.stopRing = stopRing;

    $("ring-ack").addEventListener("click", async () => {
      stopRing();
      await actions.acknowledge();
    });

    crew.askClear = function () {
      $("clear-form").hidden = false;
      S.clearFieldError($("clear-result"));
      $("clear-result").focus();
    };
    $("clear-back").addEventListener("click", () => { $("clear-form").hidden = true; });
    $("clear-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const result = $("clear-result").value.trim();
      if (!result) return S.fieldError($("clear-result"), "Tulis hasil singkat penanganan.");
      try {
        await actions.complete(result);
        $("clear-form").hidden = true;
        $("clear-result").value = "";
      } catch (err) {
        S.showApiError(err, { result: "clear-result" });
      }
    });

    /* The unit's own position, always on the map (the job's layer is redrawn separately). */
    crew.position = function (lonlat) {
      ownLayer.clearLayers();
      if (!lonlat) return;
      L.circleMarker([lonlat[1], lonlat[0]], { radius: 10, color: "#fff", weight: 3,
        fillColor: "#0d47a1", fillOpacity: 1 }).bindTooltip("Posisi unit ini").addTo(ownLayer);
    };
    return crew;
  };
})();
