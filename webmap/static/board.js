/* The console board: every open incident in scope (GET /api/console/board), most urgent first,
   live; the alerts its changes raise; and finding an incident by number or caller phone. */
(function () {
  "use strict";
  const S = window.Siaga;
  const REFRESH_MS = 3000;
  // Which attention codes sound an alert, and for whom (null: everyone at the console).
  const ALERTING = {
    taken_back: ["polda_operator", "admin"],
    offer_waiting: ["polres_operator"],
    not_acknowledged: null,
    near_target: null,
    overdue: null,
    flagged_caller: null,
  };

  /* Board({table, count, alerts, onOpen, role}) -> {refresh, rows, stop}. */
  S.Board = function (options) {
    const opts = options;
    const board = { rows: [], labels: {}, fetchedAt: 0, role: opts.role || null };
    const tbody = opts.table.querySelector("tbody");

    board.refresh = async function () {
      let data;
      try {
        data = await S.apiFetch("/api/console/board");
      } catch (err) {
        return;  // the connection banner (issue 16) says when the server is away
      }
      board.rows = data.incidents;
      board.labels = data.attention_labels;
      board.fetchedAt = Date.now();
      render();
      raiseAlerts();
    };

    function place(row) {
      const where = (row.polsek || row.polres || {}).name || "";
      const said = row.address || row.location_description;
      return said ? said + (where ? " · " + where : "") : where || "–";
    }

    function unitsCell(row) {
      if (!row.units.length) return '<span class="muted">–</span>';
      return row.units.map((u) => '<span class="unit-chip' + (u.not_acknowledged ? " warn" : "") +
        '" title="' + S.escape(S.fmt.label("assignment", u.status)) + '">' + S.escape(u.call_sign) +
        "</span>").join(" ");
    }

    function badges(row) {
      return row.attention.map((code) => '<span class="badge badge-' + code + '">' +
        S.escape(board.labels[code] || S.fmt.label("status", code)) + "</span>").join(" ");
    }

    function render() {
      if (opts.count) opts.count.textContent = board.rows.length ? S.fmt.number(board.rows.length) : "";
      tbody.innerHTML = board.rows.length ? "" :
        '<tr><td colspan="9" class="hint">Tidak ada laporan terbuka.</td></tr>';
      for (const row of board.rows) {
        const tr = document.createElement("tr");
        tr.dataset.incident = row.id;
        tr.tabIndex = 0;
        tr.className = "prio-" + row.priority + (row.attention.includes("overdue") ? " late" : "") +
          (opts.selected && opts.selected() === row.id ? " selected" : "");
        tr.innerHTML = "<td><b>#" + row.id + "</b></td>" +
          '<td><span class="prio prio-' + row.priority + '">' + S.escape(S.fmt.label("priority", row.priority)) + "</span></td>" +
          "<td>" + S.escape(S.fmt.label("category", row.category)) + "</td>" +
          '<td class="place">' + S.escape(place(row)) + "</td>" +
          "<td>" + S.escape(S.fmt.label("status", row.status)) + " " + badges(row) + "</td>" +
          "<td>" + unitsCell(row) + "</td>" +
          '<td class="num" data-clock="elapsed"></td><td class="num" data-clock="left"></td>' +
          "<td>" + S.escape((row.polres || {}).name || "–") + "</td>";
        tr.addEventListener("click", () => opts.onOpen(row.id));
        tr.addEventListener("keydown", (e) => { if (e.key === "Enter") opts.onOpen(row.id); });
        tbody.appendChild(tr);
      }
      tick();
    }

    /* Clocks move between polls: the server's clock plus the time since we fetched it. */
    function tick() {
      const drift = (Date.now() - board.fetchedAt) / 1000;
      for (const tr of tbody.querySelectorAll("tr[data-incident]")) {
        const row = board.rows.find((r) => String(r.id) === tr.dataset.incident);
        if (!row) continue;
        const running = row.clock.state === "running";
        const elapsed = row.clock.response_s || row.clock.elapsed_s + (running ? drift : 0);
        tr.querySelector('[data-clock="elapsed"]').textContent = S.fmt.duration(elapsed);
        const left = running && row.clock.remaining_s !== null ? row.clock.remaining_s - drift : null;
        const cell = tr.querySelector('[data-clock="left"]');
        cell.textContent = left === null ? (row.clock.state === "met" ? "tercapai" :
          row.clock.state === "missed" ? "terlewati" : "–") : S.fmt.duration(left);
        cell.className = "num" + (left !== null && left < 0 ? " late" : "");
      }
    }

    function alertMessage(row, code) {
      const what = "#" + row.id + " " + S.fmt.label("category", row.category);
      if (code === "not_acknowledged") {
        const units = row.units.filter((u) => u.not_acknowledged).map((u) => u.call_sign).join(", ");
        return what + ": unit " + units + " belum mengonfirmasi tugas";
      }
      return what + ": " + (board.labels[code] || code);
    }

    function raiseAlerts() {
      if (!opts.alerts) return;
      const keys = new Set();
      for (const row of board.rows) {
        for (const code of row.attention) {
          const who = ALERTING[code];
          if (who === undefined || (who && board.role && !who.includes(board.role))) continue;
          const key = "board:" + code + ":" + row.id;
          keys.add(key);
          opts.alerts.raise(code, key, alertMessage(row, code), () => opts.onOpen(row.id));
        }
      }
      opts.alerts.retain("board:", keys);
    }

    board.find = (id) => board.rows.find((r) => r.id === id) || null;
    const timers = [setInterval(board.refresh, REFRESH_MS), setInterval(tick, 1000)];
    board.stop = () => timers.forEach(clearInterval);
    board.refresh();
    return board;
  };

  /* The find box: "#12" / "12" opens that incident, a phone lists that caller's incidents. */
  S.FindBox = function (form, input, results, onOpen) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      S.clearFieldError(input);
      results.innerHTML = "";
      const q = input.value.trim();
      if (!q) return S.fieldError(input, "Isi nomor laporan atau nomor telepon.");
      let found;
      try {
        found = await S.apiFetch("/api/console/find?q=" + encodeURIComponent(q));
      } catch (err) {
        return S.fieldError(input, err.message);
      }
      if (!found.length) return S.fieldError(input, "Tidak ada laporan untuk \u201c" + q + "\u201d.");
      if (found.length === 1) return onOpen(found[0].id);
      for (const inc of found) {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = "#" + inc.id + " · " + S.fmt.label("category", inc.category) + " · " +
          S.fmt.label("status", inc.status) + " · " + S.fmt.dateTime(inc.timestamps.created_at, inc.timezone);
        button.addEventListener("click", () => onOpen(inc.id));
        li.appendChild(button);
        results.appendChild(li);
      }
      results.querySelector("button").focus();
    });
  };
})();
