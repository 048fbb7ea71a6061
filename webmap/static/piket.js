/* Piket pages: the Perwira Piket's desk, a function's desk, the Direktur's report. */
(function () {
  "use strict";
  const S = () => window.Siaga;
  const C = () => window.SIAGA_CONFIG;
  const $ = (id) => document.getElementById(id);
  const esc = (t) => S().escape(t == null ? "" : String(t));
  const fn = (code) => C().functions[code] || code;
  const FORWARD_LABELS = { sent: "menunggu diterima", acknowledged: "diterima", done: "selesai" };
  let zone = null;  // the centre's zone once known; Siaga.zoneOf gives the server's fallback
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
  /* "3 Des 08.00 WITA": date and time in the centre's zone (fixed offsets, no DST). */
  const when = (iso) => {
    if (!iso) return "–";
    const at = new Date(new Date(iso).getTime() + S().zoneOffsetMs(zone));
    const hhmm = at.toISOString().slice(11, 16).replace(":", ".");
    return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${hhmm} ${S().zoneOf(zone)}`;
  };

  async function guarded(action) {
    try { await action(); } catch (err) { S().toast(err.message, true); }
  }

  async function pdfLink(anchor, path) {
    /* The PDF needs the bearer token: fetch it and open it as a blob. */
    anchor.onclick = (event) => {
      event.preventDefault();
      guarded(async () => {
        const resp = await fetch(path, { headers: { Authorization: "Bearer " + S().token() } });
        if (!resp.ok) throw new Error("PDF gagal (" + resp.status + ")");
        const url = URL.createObjectURL(await resp.blob());
        window.open(url, "_blank");
      });
    };
  }

  /* ---- Perwira Piket ---------------------------------------------------------------- */
  const perwira = { center: null, shift: null, incoming: null };

  function parseMembers() {
    return $("o-members").value.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
      const [first, ...rest] = line.split(/\s+/);
      const isRank = rest.length && first === first.toUpperCase();
      return isRank ? { rank: first, name: rest.join(" ") } : { rank: "", name: line };
    });
  }

  function renderChecks() {
    const items = C().shift_checks.slice();
    for (const m of parseMembers()) {
      for (const [code, label] of C().officer_checks) items.push([code + ":" + m.name, label + " - " + m.name]);
    }
    $("o-checks").innerHTML = '<div class="checks">' + items.map(([code, label]) =>
      `<label><input type="checkbox" data-code="${esc(code)}" checked> ${esc(label)}
       <input class="note" data-note="${esc(code)}" placeholder="keterangan bila kurang"></label>`).join("") + "</div>";
  }

  function shiftHtml(s) {
    const missing = s.missing_checks.map((i) => `<li class="missing">${esc(i.label)}: ${esc(i.note)}</li>`).join("");
    const members = s.members.map((m) => esc((m.rank + " " + m.name).trim())).join(", ");
    return `<p><b>Piket #${s.id}</b> · ${esc(s.status === "open" ? "bertugas" : "bersiap")} ·
      Perwira: ${esc(s.perwira ? (s.perwira.rank + " " + s.perwira.name).trim() : "–")}<br>
      Anggota: ${members}<br>Mulai: ${when(s.opened_at)} · rencana selesai: ${when(s.planned_end_at)}
      ${s.past_planned_end ? '<span class="badge late">melewati jadwal</span>' : ""}</p>
      ${missing ? '<ul class="plain">' + missing + "</ul>" : '<p class="hint">Pemeriksaan awal lengkap.</p>'}`;
  }

  async function loadShift() {
    const data = await S().apiFetch("/api/piket/shifts/current");
    perwira.center = data.center;
    zone = data.center.timezone || zone;
    perwira.shift = data.shift;
    perwira.incoming = data.incoming;
    $("who").textContent = data.center.name;
    $("shift-now").innerHTML = data.shift ? shiftHtml(data.shift) : '<p class="hint">Belum ada piket bertugas.</p>';
    const inc = data.incoming;
    $("shift-incoming").innerHTML = inc ? "<h3>Regu pengganti</h3>" + shiftHtml(inc) +
      (inc.handover && inc.handover.handed_over_at ? `<p>Serah terima: ${inc.handover.incidents.length} laporan terbuka,
        ${inc.handover.orders.length} perintah, ${inc.handover.forwards.length} penerusan. ${esc(inc.handover.note)}</p>` : "") : "";
    $("handover-btn").disabled = !(data.shift && inc && !(inc.handover && inc.handover.handed_over_at));
    $("ack-btn").disabled = !(inc && inc.handover && inc.handover.handed_over_at);
    if (data.shift) {
      pdfLink($("journal-pdf"), `/api/piket/shifts/${data.shift.id}/journal.pdf`);
      await loadJournal(data.shift.id);
    }
  }

  async function loadQueue() {
    const rows = await S().apiFetch("/api/piket/queue");
    $("queue").querySelector("tbody").innerHTML = rows.map((r) => {
      const late = r.orders_overdue || r.forwards.some((f) => f.overdue);
      const forwards = r.forwards.map((f) => `<span class="badge ${f.overdue ? "late" : ""}">${esc(fn(f.function_code))}: ${esc(FORWARD_LABELS[f.status])}</span>`).join("");
      const suggest = r.suggested_forwards.map((code) =>
        `<button type="button" data-forward="${r.id}" data-function="${esc(code)}">Teruskan ke ${esc(fn(code))}</button>`).join(" ");
      return `<tr class="${late ? "overdue" : ""}" data-incident="${r.id}"><td>${r.id}</td>
        <td>${esc(S().categoryLabel(r.category))}${r.crime ? ' <span class="badge urgent">pidana</span>' : ""}</td>
        <td>${esc(S().INCIDENT_LABELS[r.status] || r.status)}</td>
        <td>${r.orders_open}${r.orders_overdue ? ' <span class="badge late">' + r.orders_overdue + " terlambat</span>" : ""}</td>
        <td>${forwards}</td><td>${suggest}</td></tr>`;
    }).join("") || '<tr><td colspan="6" class="hint">Tidak ada laporan.</td></tr>';
  }

  const score = (value) => Number(value).toFixed(1).replace(".", ",");
  async function loadFlags() {
    const rows = await S().apiFetch("/api/callers/flags");
    $("caller-flags").querySelector("tbody").innerHTML = rows.map((f) => `<tr data-flag="${f.id}">
      <td>${esc(f.phone)}</td><td>#${f.incident_id}</td><td>${when(f.raised_at)}</td>
      <td>${f.prank_count} kali (terakhir ${when(f.last_prank_at)})</td>
      <td>${score(f.score_now)}</td>
      <td><select data-outcome="${f.id}"><option value="peringatan">Penelepon diperingatkan</option>
        <option value="usul_blokir">Usulkan blokir nomor</option><option value="pantau">Pantau</option></select>
        <input data-note="${f.id}" placeholder="catatan">
        <button type="button" data-review="${f.id}">Catat</button></td></tr>`).join("") ||
      '<tr><td colspan="6" class="hint">Tidak ada nomor yang ditandai.</td></tr>';
  }

  async function loadOrders() {
    const rows = await S().apiFetch("/api/piket/orders?open=true");
    $("orders").innerHTML = rows.map((o) => `<li class="${o.overdue ? "overdue" : ""}">#${o.id} laporan ${o.incident_id}:
      ${esc(o.instruction)} → ${esc(o.assignee)} (batas ${when(o.due_at)}) · ${o.actions.length} tindakan</li>`).join("");
  }

  async function loadJournal(shiftId) {
    const rows = await S().apiFetch(`/api/piket/shifts/${shiftId}/journal`);
    $("journal").innerHTML = rows.map((e) => `<li>${when(e.at)} · ${esc(e.actor)} ·
      ${e.incident_id ? "laporan " + e.incident_id + " · " : ""}${esc(e.message)}</li>`).join("");
  }

  async function loadReport() {
    const r = await S().apiFetch("/api/reports/daily");
    perwira.report = r;
    $("report-state").innerHTML = `Laporan ${esc(r.report_date)}: ${r.calls} panggilan ·
      ${r.signed_at ? "ditandatangani " + esc(r.signed_by) : '<span class="missing">belum ditandatangani</span>'}`;
    $("report-sign").disabled = !!r.signed_at;
    pdfLink($("report-pdf"), `/api/reports/daily.pdf?date=${r.report_date}`);
  }

  async function refreshPerwira() {
    await loadShift();
    await loadQueue();
    await loadOrders();
    await loadFlags();
    await loadReport();
  }

  function startPerwira() {
    renderChecks();
    $("o-checks-btn").onclick = renderChecks;
    $("open-form").addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(async () => {
        const checks = [...document.querySelectorAll("#o-checks [data-code]")].map((box) => ({
          code: box.dataset.code, ok: box.checked,
          note: document.querySelector(`[data-note="${CSS.escape(box.dataset.code)}"]`).value,
        }));
        await S().apiFetch("/api/piket/shifts", { method: "POST", body: {
          center_id: perwira.center.id, perwira_rank: $("o-rank").value,
          planned_hours: Number($("o-hours").value), members: parseMembers(), checks } });
        S().toast("Piket disiapkan");
        await refreshPerwira();
      });
    });
    $("handover-btn").onclick = () => guarded(async () => {
      const note = window.prompt("Catatan serah terima", "") || "";
      await S().apiFetch(`/api/piket/shifts/${perwira.shift.id}/handover`, { method: "POST", body: { note } });
      await refreshPerwira();
    });
    $("ack-btn").onclick = () => guarded(async () => {
      await S().apiFetch(`/api/piket/shifts/${perwira.incoming.id}/acknowledge`, { method: "POST", body: {} });
      S().toast("Serah terima diterima; piket baru bertugas");
      await refreshPerwira();
    });
    $("queue").addEventListener("click", (event) => {
      const button = event.target.closest("[data-forward]");
      if (!button) return;
      guarded(async () => {
        await S().apiFetch(`/api/incidents/${button.dataset.forward}/forwards`, { method: "POST",
          body: { functions: [button.dataset.function], note: "" } });
        S().toast("Diteruskan ke " + fn(button.dataset.function));
        await loadQueue();
      });
    });
    $("caller-flags").addEventListener("click", (event) => {
      const button = event.target.closest("[data-review]");
      if (!button) return;
      const id = button.dataset.review;
      guarded(async () => {
        await S().apiFetch(`/api/callers/flags/${id}/review`, { method: "POST", body: {
          outcome: document.querySelector(`[data-outcome="${id}"]`).value,
          note: document.querySelector(`[data-note="${id}"]`).value } });
        S().toast("Tindakan atas nomor dicatat");
        await loadFlags();
      });
    });
    $("order-form").addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(async () => {
        const due = new Date(Date.now() + Number($("r-due").value) * 60000).toISOString();
        await S().apiFetch(`/api/incidents/${$("r-incident").value}/orders`, { method: "POST", body: {
          instruction: $("r-instruction").value, assignee: $("r-assignee").value, due_at: due } });
        S().toast("Perintah dicatat");
        await loadOrders();
        await loadQueue();
      });
    });
    $("entry-form").addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(async () => {
        if (!perwira.shift) throw new Error("Belum ada piket bertugas");
        await S().apiFetch(`/api/piket/shifts/${perwira.shift.id}/journal`, { method: "POST",
          body: { kind: $("e-kind").value, message: $("e-message").value } });
        $("e-message").value = "";
        await loadJournal(perwira.shift.id);
      });
    });
    $("report-sign").onclick = () => guarded(async () => {
      await S().apiFetch("/api/reports/daily/sign", { method: "POST",
        body: { center_id: perwira.center.id, report_date: perwira.report.report_date } });
      S().toast("Laporan ditandatangani");
      await loadReport();
    });
    guarded(refreshPerwira);
    setInterval(() => guarded(loadQueue), 15000);
    setInterval(() => guarded(loadFlags), 15000);
  }

  /* ---- function desk ------------------------------------------------------------------ */
  async function loadForwards() {
    const rows = await S().apiFetch("/api/forwards");
    if (rows.length) $("who").textContent = fn(rows[0].function_code);
    $("forwards").querySelector("tbody").innerHTML = rows.map((f) => {
      const inc = f.incident || {};
      const action = f.status === "sent" ? `<button type="button" data-ack="${f.id}">Terima</button>`
        : f.status === "acknowledged" ? `<input data-result-text="${f.id}" placeholder="hasil tindak lanjut">
           <button type="button" data-result="${f.id}">Laporkan hasil</button>` : esc(f.result_note);
      return `<tr class="${f.overdue ? "overdue" : ""}" data-forward-row="${f.id}"><td>${f.id}</td>
        <td>#${inc.id} ${esc(S().categoryLabel(inc.category))} ${f.urgent ? '<span class="badge urgent">SEGERA ke TKP</span>' : ""}
          <br><small>${esc(inc.description)}</small></td>
        <td>${esc(inc.address)}</td><td>${when(f.forwarded_at)}${f.overdue ? ' <span class="badge late">terlambat</span>' : ""}</td>
        <td>${esc(FORWARD_LABELS[f.status])}</td>
        <td>${action}</td></tr>`;
    }).join("") || '<tr><td colspan="6" class="hint">Tidak ada penerusan.</td></tr>';
  }

  function startDesk() {
    $("forwards").addEventListener("click", (event) => {
      const ack = event.target.closest("[data-ack]");
      const result = event.target.closest("[data-result]");
      if (ack) guarded(async () => {
        await S().apiFetch(`/api/forwards/${ack.dataset.ack}/acknowledge`, { method: "POST", body: {} });
        await loadForwards();
      });
      if (result) guarded(async () => {
        const text = document.querySelector(`[data-result-text="${result.dataset.result}"]`).value;
        await S().apiFetch(`/api/forwards/${result.dataset.result}/result`, { method: "POST", body: { result: text } });
        await loadForwards();
      });
    });
    guarded(loadForwards);
    setInterval(() => guarded(loadForwards), 15000);
  }

  /* ---- Direktur ------------------------------------------------------------------------- */
  function rows(table, pairs) {
    $(table).querySelector("tbody").innerHTML = pairs.map(([a, b]) => `<tr><td>${esc(a)}</td><td>${esc(b)}</td></tr>`).join("")
      || '<tr><td class="hint">Tidak ada data.</td></tr>';
  }

  async function loadDirektur(date) {
    const r = await S().apiFetch("/api/reports/daily" + (date ? "?date=" + date : ""));
    zone = r.timezone || zone;
    $("who").textContent = r.center.name;
    $("d-date").value = r.report_date;
    const flag = r.unsigned_past_due ? '<span class="badge late">belum ditandatangani pada batas waktu</span>' : "";
    $("d-state").innerHTML = `Periode ${when(r.period_start)} – ${when(r.period_end)} · batas ${when(r.due_at)} ·
      ${r.signed_at ? "ditandatangani " + esc(r.signed_by) + " " + when(r.signed_at) : "belum ditandatangani"} ${flag}`;
    const resp = r.response;
    const share = resp.within_target_share == null ? "–" : (resp.within_target_share * 100).toFixed(1).replace(".", ",") + "%";
    $("d-summary").innerHTML = [
      ["Panggilan", r.calls], ["Valid / tidak valid / iseng / duplikat",
        ["valid", "invalid", "prank", "duplicate"].map((k) => r.by_validity[k] || 0).join(" / ")],
      ["Tiba di lokasi (terverifikasi GPS / belum)", `${resp.measured} (${resp.verified} / ${resp.unverified})`],
      ["Median / p90 respons (terverifikasi)", S().fmtDuration(resp.median_s) + " / " + S().fmtDuration(resp.p90_s)],
      ["Dalam target (terverifikasi)", share],
      ["Median belum terverifikasi", S().fmtDuration(resp.unverified_median_s)], ["Eskalasi ke Polda", r.escalated_to_polda],
      ["Penerusan (diterima / selesai / terlambat)", `${r.forwards.total} (${r.forwards.acknowledged} / ${r.forwards.done} / ${r.forwards.escalated})`],
      ["Terbuka pada akhir periode", `${r.open_at_end.incidents} laporan, ${r.open_at_end.orders} perintah, ${r.open_at_end.forwards} penerusan`],
    ].map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
    rows("d-categories", Object.entries(r.by_category).sort((a, b) => b[1] - a[1]).map(([k, v]) => [S().categoryLabel(k), v]));
    rows("d-polres", r.by_polres.map((p) => [p.name || "Tanpa Polres", p.count]));
    rows("d-shifts", r.shifts.map((s) => [`#${s.id} ${s.perwira || ""}`, `${when(s.opened_at)} – ${when(s.closed_at)}`]));
    pdfLink($("d-pdf"), `/api/reports/daily.pdf?date=${r.report_date}`);
    const archive = await S().apiFetch("/api/reports");
    $("d-archive").querySelector("tbody").innerHTML = archive.map((a) => `<tr class="${a.unsigned_past_due ? "overdue" : ""}">
      <td>${esc(a.report_date)}</td><td>${esc(a.center.name)}</td>
      <td>${a.signed_at ? esc(a.signed_by) : '<span class="badge late">belum</span>'}</td></tr>`).join("");
  }

  function startDirektur() {
    $("report-form").addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(() => loadDirektur($("d-date").value));
    });
    guarded(() => loadDirektur(null));
  }

  window.SiagaPages = window.SiagaPages || {};
  window.SiagaPages.piket = startPerwira;
  window.SiagaPages.fungsi = startDesk;
  window.SiagaPages.direktur = startDirektur;
})();
