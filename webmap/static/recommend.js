/* The compact recommendation table: unit, kind, ETA, road distance, own Polsek, fix age; the
   reasons one click (or key) away; rows 1-9 selectable from the keyboard (Alt+1..9). */
(function () {
  "use strict";
  const S = window.Siaga;
  const OWN = { polsek: "Polsek sendiri", polres: "Polres sendiri" };

  /* RecommendTable(table, excludedList, onPick(rec, button), onSelect(rec)) -> {load, clear,
     pick(n), data}; onSelect runs on a click on the row (the console draws its route). */
  S.RecommendTable = function (table, excludedList, onPick, onSelect) {
    const tbody = table.querySelector("tbody");
    const rt = { data: null, mode: "assign", busy: false };

    rt.clear = function (message) {
      rt.data = null;
      tbody.innerHTML = message ? '<tr><td colspan="8" class="hint">' + S.escape(message) + "</td></tr>" : "";
      excludedList.innerHTML = "";
    };

    rt.load = async function (incidentId) {
      rt.clear("Menghitung…");
      const data = await S.apiFetch("/api/incidents/" + incidentId + "/recommendations");
      rt.data = data;
      render();
      return data;
    };

    rt.setMode = function (mode) {
      rt.mode = mode;
      table.classList.toggle("reassigning", mode !== "assign");
      if (rt.data) render();
    };

    function render() {
      const recs = rt.data.recommendations;
      tbody.innerHTML = recs.length ? "" :
        '<tr><td colspan="8" class="hint">Tidak ada unit tersedia.</td></tr>';
      recs.forEach((rec, index) => {
        for (const tr of rows(rec, index)) tbody.appendChild(tr);
      });
      excludedList.innerHTML = rt.data.excluded.map((x) => "<li><b>" + S.escape(x.call_sign) + "</b> (" +
        S.escape(S.fmt.label("kind", x.kind)) + ", " + S.fmt.distance(x.distance_m) + "): " +
        S.escape(x.reasons.join("; ")) + "</li>").join("");
    }

    function rows(rec, index) {
      const key = index < 9 ? String(index + 1) : "";
      const tr = document.createElement("tr");
      tr.dataset.unit = rec.unit_id;
      tr.className = "rec" + (rec.within_target === false ? " late" : "");
      const action = rt.mode === "assign" ? "Tugaskan" : "Ganti ke unit ini";
      tr.innerHTML = '<td class="key">' + (key ? "<kbd>" + key + "</kbd>" : "") + "</td>" +
        "<td><b>" + S.escape(rec.call_sign) + "</b></td>" +
        "<td>" + S.escape(S.fmt.label("kind", rec.kind)) + "</td>" +
        '<td class="num">' + S.fmt.duration(rec.eta_s) + "</td>" +
        '<td class="num">' + S.fmt.distance(rec.road_distance_m || rec.distance_m) + "</td>" +
        "<td>" + S.escape(OWN[rec.own_jurisdiction] || "Wilayah lain") + "</td>" +
        '<td class="num">' + S.fmt.age(rec.fix_age_s) + "</td>" +
        '<td class="actions"><button type="button" class="small why" aria-expanded="false">Alasan</button> ' +
        '<button type="button" class="assign" aria-keyshortcuts="' + (key ? "Alt+" + key : "") + '">' +
        action + "</button></td>";
      const why = document.createElement("tr");
      why.className = "reasons";
      why.hidden = true;
      why.innerHTML = '<td></td><td colspan="7"><ul>' +
        rec.reasons.map((r) => "<li>" + S.escape(r) + "</li>").join("") + "</ul></td>";
      const toggle = tr.querySelector("button.why");
      if (onSelect) {
        tr.title = "Klik untuk melihat rute di peta";
        tr.addEventListener("click", () => onSelect(rec));
      }
      toggle.addEventListener("click", (e) => {
        e.stopPropagation();
        why.hidden = !why.hidden;
        toggle.setAttribute("aria-expanded", String(!why.hidden));
      });
      const button = tr.querySelector("button.assign");
      button.addEventListener("click", (e) => { e.stopPropagation(); onPick(rec, button); });
      return [tr, why];
    }

    /* The n-th (1-based) recommendation, as if its button was pressed. */
    rt.pick = function (n) {
      const rec = rt.data && rt.data.recommendations[n - 1];
      if (!rec) return false;
      const button = tbody.querySelector('tr[data-unit="' + rec.unit_id + '"] button.assign');
      if (button && !button.disabled) onPick(rec, button);
      return true;
    };
    return rt;
  };
})();
