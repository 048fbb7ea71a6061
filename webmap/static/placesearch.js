/* The place search box of the intake (GET /api/places/search, issue 11's API): results as the
   operator types, ArrowUp/ArrowDown to move, Enter to place the incident, Escape to close.
   Streets, landmarks, kelurahan, coordinates, map links and plus codes all go in the one box. */
(function () {
  "use strict";
  const S = window.Siaga;
  const DEBOUNCE_MS = 150;

  /* PlaceSearch(slot, {center(): [lon, lat] | null, onPick(place)}) -> {input, search(q)}. */
  S.PlaceSearch = function (slot, options) {
    slot.innerHTML = '<label>Cari tempat <input id="place-q" role="combobox" autocomplete="off" ' +
      'aria-autocomplete="list" aria-expanded="false" aria-controls="place-results" ' +
      'placeholder="Jl. Sudirman, Masjid Agung, -1,265 116,84"></label>' +
      '<ul id="place-results" class="place-results" role="listbox" hidden></ul>';
    const input = slot.querySelector("#place-q");
    const list = slot.querySelector("#place-results");
    const ps = { input, results: [], active: -1, seq: 0 };
    let timer = null;

    ps.search = async function (q) {
      const seq = ++ps.seq;
      const center = options.center();
      const params = new URLSearchParams({ q, limit: "8" });
      if (center) { params.set("lon", center[0].toFixed(5)); params.set("lat", center[1].toFixed(5)); }
      let results;
      try {
        results = await S.apiFetch("/api/places/search?" + params);
      } catch (err) {
        if (seq === ps.seq) S.showApiError(err, { q: "place-q" });
        return;
      }
      if (seq !== ps.seq) return;  // a newer query was typed meanwhile
      ps.shownQuery = q;
      show(results);
    };

    function show(results) {
      ps.results = results;
      ps.active = results.length ? 0 : -1;
      list.innerHTML = results.length ? "" : '<li class="hint">Tidak ditemukan.</li>';
      results.forEach((place, i) => {
        const li = document.createElement("li");
        li.id = "place-option-" + i;
        li.setAttribute("role", "option");
        li.innerHTML = "<b>" + S.escape(place.name) + "</b> <span class=\"hint\">" + S.escape(place.description) +
          (place.distance_m !== null && place.distance_m !== undefined ? " · " + S.fmt.distance(place.distance_m) : "") +
          "</span>";
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark();
    }

    function mark() {
      list.querySelectorAll("[role=option]").forEach((li, i) => li.setAttribute("aria-selected", String(i === ps.active)));
      if (ps.active >= 0) input.setAttribute("aria-activedescendant", "place-option-" + ps.active);
      else input.removeAttribute("aria-activedescendant");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function pick(i) {
      const place = ps.results[i];
      if (!place) return;
      close();
      input.value = place.name;
      options.onPick(place);
    }

    input.addEventListener("input", () => {
      S.clearFieldError(input);
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(() => ps.search(q), DEBOUNCE_MS);
    });
    input.addEventListener("keydown", async (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = ps.results.length;
        if (n) ps.active = (ps.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        mark();
      } else if (e.key === "Enter") {
        e.preventDefault();
        // Enter right after typing: answer what is typed now, not a list for fewer letters.
        const typed = input.value.trim();
        if (typed.length >= 2 && typed !== ps.shownQuery) { clearTimeout(timer); await ps.search(typed); }
        if (ps.active >= 0) pick(ps.active);
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    return ps;
  };
})();
