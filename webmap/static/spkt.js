/* SPKT desk: receive a report (walk-in or from 110), follow it to an LP, a letter or a closing;
   Sat Reskrim (desk role) assesses and writes SP2HP. Data from /api/spkt/*. */
(function () {
  "use strict";
  const S = () => window.Siaga;
  const $ = (id) => document.getElementById(id);
  const esc = (t) => S().escape(t);
  const state = { me: null, map: null, marker: null, point: null, selected: null };
  const LOST = { ktp: "KTP", kk: "Kartu Keluarga", sim: "SIM", stnk: "STNK", bpkb: "BPKB",
    paspor: "Paspor", kartu_atm: "Kartu ATM", buku_tabungan: "Buku tabungan",
    ponsel: "Telepon seluler", ijazah: "Ijazah", dompet: "Dompet", lainnya: "Lainnya" };
  const STAGES = { penyelidikan: "Penyelidikan", penyidikan: "Penyidikan",
    pelimpahan: "Dilimpahkan ke JPU", p21: "Berkas lengkap (P-21)", sp3: "Dihentikan (SP3)",
    restorative: "Keadilan restoratif" };
  const RECS = { terbitkan_lp: "Terbitkan LP", bukan_pidana: "Bukan tindak pidana",
    limpahkan: "Limpahkan", lengkapi: "Lengkapi keterangan" };
  const SIGNER_KEY = "siaga_spkt_signer";

  function fmtTime(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return d.toLocaleString("id-ID", { dateStyle: "short", timeStyle: "short" });
  }

  function signer() {
    const s = { name: $("s-name").value.trim(), rank: $("s-rank").value.trim(),
      nrp: $("s-nrp").value.trim(), position: $("s-position").value.trim() || "Ka SPKT" };
    localStorage.setItem(SIGNER_KEY, JSON.stringify(s));
    return s;
  }

  function loadSigner() {
    const saved = JSON.parse(localStorage.getItem(SIGNER_KEY) || "{}");
    for (const key of ["name", "rank", "nrp", "position"]) if (saved[key]) $("s-" + key).value = saved[key];
  }

  function fillSigner(o) {
    $("s-name").value = o.name; $("s-rank").value = o.rank; $("s-nrp").value = o.nrp;
    $("s-position").value = o.position_label;
  }

  // The unit's SPKT officials (KA SPKT, KA SIAGA I-III): picking one fills the signer.
  async function loadOfficials() {
    const officials = await S().apiFetch("/api/spkt/signers");
    $("s-official").innerHTML = '<option value="">(isi sendiri)</option>' + officials.map((o, i) =>
      `<option value="${i}">${esc(o.position_label)}: ${esc(o.rank)} ${esc(o.name)}</option>`).join("");
    $("s-official").addEventListener("change", () => {
      const o = officials[Number($("s-official").value)];
      if ($("s-official").value !== "" && o) fillSigner(o);
    });
    const saved = officials.findIndex((o) => o.nrp === $("s-nrp").value);
    if (saved >= 0) $("s-official").value = String(saved);
    else if (officials.length && !$("s-name").value) { $("s-official").value = "0"; fillSigner(officials[0]); }
  }

  function setupMap() {
    const map = L.map("spkt-map", { zoomControl: true }).setView([-1.265, 116.84], 13);
    if (window.SIAGA_CONFIG.tile_url) L.tileLayer(window.SIAGA_CONFIG.tile_url, { maxZoom: 19 }).addTo(map);
    map.on("click", (e) => setPoint(e.latlng.lng, e.latlng.lat));
    state.map = map;
    S().loadJurisdictions(map, { optional: true }).catch(() => null);
  }

  function setPoint(lon, lat) {
    state.point = [lon, lat];
    if (state.marker) state.marker.setLatLng([lat, lon]);
    else state.marker = L.circleMarker([lat, lon], { radius: 8, color: "#b71c1c" }).addTo(state.map);
    $("r-point").textContent = "Lokasi: " + lat.toFixed(6) + ", " + lon.toFixed(6);
  }

  function setupForm() {
    const cats = S().vocab("categories");
    $("r-category").innerHTML = Object.entries(cats)
      .map(([code, label]) => `<option value="${esc(code)}">${esc(label)}</option>`).join("");
    $("lost-items").innerHTML = Object.entries(LOST).map(([code, label]) =>
      `<div class="lost-row"><input type="checkbox" data-item="${code}" id="lost-${code}">` +
      `<label for="lost-${code}">${esc(label)}</label><input data-number="${code}" placeholder="nomor"></div>`).join("");
    $("r-kind").addEventListener("change", () => { $("lost-box").hidden = $("r-kind").value !== "kehilangan"; });
    $("report-form").addEventListener("submit", submitReport);
  }

  function reportBody() {
    const kind = $("r-kind").value;
    const polri = $("r-polri").checked;
    const body = {
      kind,
      reporter: { kind: polri ? "polri" : "masyarakat", name: $("r-name").value.trim(),
        nik: $("r-nik").value.trim(), birth_place: $("r-birth-place").value.trim(),
        birth_date: $("r-birth-date").value, address: $("r-address").value.trim(),
        phone: $("r-phone").value.trim(), occupation: $("r-occupation").value.trim(),
        nrp: polri ? $("r-nrp").value.trim() : null },
      category: kind === "kehilangan" ? null : $("r-category").value,
      what: $("r-what").value.trim(), place: $("r-place").value.trim(),
      involved: $("r-involved").value.trim(),
      witnesses: $("r-witness").value.trim()
        ? [{ name: $("r-witness").value.trim(), phone: $("r-witness-phone").value.trim() }] : [],
      lost_items: kind !== "kehilangan" ? [] : [...document.querySelectorAll("[data-item]:checked")]
        .map((box) => ({ item: box.dataset.item,
          number: document.querySelector(`[data-number="${box.dataset.item}"]`).value.trim() })),
    };
    const incident = $("r-incident").value;
    if (incident) body.incident_id = Number(incident);
    if ($("r-occurred").value) body.occurred_at = localToIso($("r-occurred").value);
    if (state.point) { body.lon = state.point[0]; body.lat = state.point[1]; }
    return body;
  }

  /* The datetime-local value is the desk's own clock: send it with the browser's offset. */
  function localToIso(value) { return new Date(value).toISOString(); }

  async function submitReport(event) {
    event.preventDefault();
    try {
      const report = await S().apiFetch("/api/spkt/reports", { method: "POST", body: reportBody() });
      S().toast("Laporan diterima: " + report.number);
      $("report-form").reset();
      $("lost-box").hidden = true;
      await refresh();
      showDetail(report);
    } catch (err) {
      S().toast(err.message, true);
    }
  }

  async function refresh() {
    const open = $("open-only").checked ? "?open=true" : "";
    const rows = await S().apiFetch("/api/spkt/reports" + open);
    $("reports").querySelector("tbody").innerHTML = rows.map((r) =>
      `<tr data-id="${r.id}" class="${r.overdue ? "late" : ""}${state.selected === r.id ? " selected" : ""}">` +
      `<td class="number">${esc(r.lp_number || r.number)}</td><td>${esc(r.kind_label)}</td>` +
      `<td>${esc(r.status_label)}</td><td>${r.settled_at ? "selesai" : esc(fmtTime(r.due_at))}</td></tr>`).join("")
      || '<tr><td colspan="4" class="hint">Belum ada laporan.</td></tr>';
    if (state.me.role !== "desk") await refreshAging();
  }

  async function refreshAging() {
    const data = await S().apiFetch("/api/spkt/aging");
    const labels = data.rows.length ? Object.keys(data.rows[0].buckets) : [];
    $("aging").querySelector("thead").innerHTML = "<tr><th>Wilayah</th><th>Terbuka</th>" +
      labels.map((l) => `<th>${esc(l)}</th>`).join("") + "<th>Lewat batas</th><th>Pejabat</th></tr>";
    $("aging").querySelector("tbody").innerHTML = data.rows.map((row) =>
      `<tr class="${row.overdue.length ? "late" : ""}"><td>${esc(row.name)}</td><td>${row.open_count}</td>` +
      Object.values(row.buckets).map((n) => `<td>${n}</td>`).join("") +
      `<td>${row.overdue.length}</td><td>${row.official ? esc(row.official.rank + " " + row.official.name) : "–"}</td></tr>`
    ).join("") || '<tr><td class="hint">Tidak ada laporan terbuka.</td></tr>';
  }

  async function select(id) {
    state.selected = id;
    try {
      showDetail(await S().apiFetch("/api/spkt/reports/" + id));
    } catch (err) {
      S().toast(err.message, true);
    }
  }

  function reporterHtml(r) {
    const mask = (v) => (v === "•••" ? '<span class="masked">•••</span>' : esc(v));
    const p = r.reporter;
    return `<dl class="chain"><dt>Pelapor</dt><dd>${esc(p.name)}${p.kind === "polri" ? " (anggota Polri)" : ""}</dd>` +
      `<dt>NIK</dt><dd>${mask(p.nik)}</dd><dt>Tanggal lahir</dt><dd>${mask(p.birth_date)}</dd>` +
      `<dt>Alamat</dt><dd>${mask(p.address)}</dd><dt>Telepon</dt><dd>${mask(p.phone)}</dd></dl>`;
  }

  function showDetail(r) {
    state.selected = r.id;
    if (r.lat !== undefined) { setPoint(r.lon, r.lat); state.map.setView([r.lat, r.lon], 15); }
    const docs = r.documents.map((d) =>
      `<li><button type="button" class="small pdf" data-url="${esc(d.pdf_url)}" data-name="${esc(d.number)}">PDF</button> ` +
      `${esc(d.title)}<br><span class="number">${esc(d.number)}</span></li>`).join("");
    const log = r.events.map((e) => `<li>${esc(fmtTime(e.at))} · ${esc(e.actor)}: ${esc(e.message)}</li>`).join("");
    $("detail").innerHTML =
      `<h2 id="d-number" class="number">${esc(r.lp_number || r.number)}</h2>` +
      `<p class="status-line" id="d-status">${esc(r.kind_label)} · ${esc(r.status_label)}${r.overdue ? " · lewat batas waktu" : ""}</p>` +
      reporterHtml(r) +
      `<dl class="chain"><dt>Kejadian</dt><dd>${esc(fmtTime(r.occurred_at))}, ${esc(r.place)}</dd>` +
      `<dt>Apa</dt><dd>${esc(r.what)}</dd>${r.incident_id ? `<dt>Laporan 110</dt><dd>#${r.incident_id}</dd>` : ""}` +
      (r.assessment ? `<dt>Penilaian Reskrim</dt><dd>${r.assessment.is_crime ? "Tindak pidana" : "Bukan tindak pidana"} ${esc(r.assessment.articles)} · ${esc(RECS[r.assessment.recommendation] || "")}</dd>` : "") +
      `</dl><div class="actions" id="actions"></div>` +
      `<h3>Dokumen</h3><ul class="plain" id="d-documents">${docs}</ul>` +
      (r.attachments.length ? `<h3>Bukti</h3><ul class="plain" id="d-attachments">${r.attachments.map((a) =>
        `<li>${esc(a.filename)} · ${Math.round(a.size_bytes / 1024)} kB · ${esc(a.uploaded_by)}</li>`).join("")}</ul>` : "") +
      `<h3>Riwayat</h3><ol class="log" id="d-log">${log}</ol>`;
    $("detail").querySelectorAll("button.pdf").forEach((b) => b.addEventListener("click", () => openPdf(b.dataset.url, b.dataset.name)));
    renderActions(r);
    document.querySelectorAll("#reports tbody tr").forEach((tr) =>
      tr.classList.toggle("selected", Number(tr.dataset.id) === r.id));
  }

  async function openPdf(url, name) {
    const resp = await fetch(url, { headers: { Authorization: "Bearer " + S().token() } });
    if (!resp.ok) { S().toast("Dokumen tidak dapat dibuka (" + resp.status + ")", true); return; }
    // A download, not a viewer tab: the file is what gets printed, signed and handed over.
    const blob = await resp.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = (name || "dokumen").replace(/[\/ ]+/g, "-") + ".pdf";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  function button(label, id, handler) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = label; b.id = id;
    b.addEventListener("click", handler);
    $("actions").appendChild(b);
  }

  function formAction(id, html, label, handler) {
    const form = document.createElement("form");
    form.id = id;
    form.innerHTML = html + `<button type="submit" class="primary">${esc(label)}</button>`;
    form.addEventListener("submit", (e) => { e.preventDefault(); handler(form); });
    $("actions").appendChild(form);
  }

  async function act(r, path, body, done) {
    try {
      const answer = await S().apiFetch(`/api/spkt/reports/${r.id}/${path}`, { method: "POST", body });
      S().toast(done(answer));
      await refresh();
      await select(r.id);
    } catch (err) {
      S().toast(err.message, true);
    }
  }

  function renderActions(r) {
    const open = !r.settled_at;
    if (state.me.role === "desk") return renderReskrimActions(r);
    if (r.kind === "pidana" && open && r.status === "diterima") {
      button("Konsultasi Sat Reskrim", "a-consult", () => act(r, "consultation", {}, () => "Dikirim ke Sat Reskrim"));
    }
    if (r.kind === "pidana" && open) {
      const model = r.reporter.kind === "polri" ? "A" : "B";
      if (model === "A" || (r.assessment && r.assessment.recommendation === "terbitkan_lp")) {
        button("Terbitkan LP model " + model, "a-lp", () => act(r, "laporan-polisi",
          { model, signer: signer() }, (a) => "LP diterbitkan: " + a.number));
      }
    }
    if (r.kind === "kehilangan" && open) {
      button("Terbitkan surat kehilangan", "a-lost", () => act(r, "lost-item-letter",
        { signer: signer() }, (a) => "Surat diterbitkan: " + a.number));
    }
    if (r.kind === "pidana") {
      formAction("a-visum", '<label>Rumah sakit <input name="hospital" required minlength="3"></label>' +
        '<label>Korban <input name="victim" required></label><label>Luka yang tampak <input name="injuries" required></label>',
        "Surat permintaan visum", (f) => act(r, "visum-request", { signer: signer(),
          hospital: f.hospital.value, victim_name: f.victim.value, injuries: f.injuries.value },
        (a) => "Surat visum: " + a.number));
    }
    formAction("a-evidence", '<label>Bukti (foto/PDF, maks. 950 kB) <input type="file" name="file" required ' +
      'accept="image/jpeg,image/png,image/webp,application/pdf"></label><label>Keterangan <input name="note"></label>',
      "Lampirkan bukti", (f) => {
        const data = new FormData();
        data.append("file", f.file.files[0]);
        data.append("description", f.note.value);
        act(r, "attachments", data, (a) => "Bukti dilampirkan: " + a.filename);
      });
    if (open) {
      formAction("a-close", '<label>Alasan penutupan <input name="reason" required minlength="3"></label>',
        "Tutup laporan", (f) => act(r, "close", { reason: f.reason.value }, () => "Laporan ditutup"));
    }
  }

  function renderReskrimActions(r) {
    if (["konsultasi", "dinilai"].includes(r.status)) {
      const recs = Object.entries(RECS).map(([c, l]) => `<option value="${c}">${esc(l)}</option>`).join("");
      formAction("a-assess", '<label class="check"><input type="checkbox" name="crime" checked> Tindak pidana</label>' +
        '<label>Pasal <input name="articles"></label>' +
        `<label>Rekomendasi <select name="rec">${recs}</select></label>`, "Simpan penilaian",
      (f) => act(r, "assessment", { is_crime: f.crime.checked, articles: f.articles.value,
        recommendation: f.rec.value }, () => "Penilaian disimpan"));
    }
    if (r.lp_number) {
      const stages = Object.entries(STAGES).map(([c, l]) => `<option value="${c}">${esc(l)}</option>`).join("");
      formAction("a-sp2hp", `<label>Tahap <select name="stage">${stages}</select></label>` +
        '<label>Isi SP2HP untuk pelapor <textarea name="notice" required minlength="3"></textarea></label>',
        "Kirim SP2HP", (f) => act(r, "sp2hp", { stage: f.stage.value, notice: f.notice.value }, () => "SP2HP dicatat"));
    }
  }

  window.SiagaPages.spkt = async function () {
    state.me = await S().apiFetch("/api/auth/me");
    $("who").textContent = state.me.username + " · " + state.me.role;
    const desk = ["spkt", "admin"].includes(state.me.role);
    $("new-report").hidden = !desk;  // Sat Reskrim and the chain of command do not receive
    $("signer-box").hidden = !desk;
    if (state.me.role !== "desk") $("weekly").hidden = false;
    $("weekly").addEventListener("click", () =>
      openPdf("/api/spkt/accountability/pdf", "akuntabilitas-mingguan"));
    loadSigner();
    if (desk) await loadOfficials();
    setupMap();
    setupForm();
    $("open-only").addEventListener("change", refresh);
    $("reports").addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-id]");
      if (tr) select(Number(tr.dataset.id));
    });
    await refresh();
    document.documentElement.dataset.ready = "1";
  };
})();
