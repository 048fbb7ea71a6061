/* Public SP2HP page: LP number + name + date of birth -> the state of that report only. */
(function () {
  "use strict";
  const esc = (t) => { const d = document.createElement("div"); d.textContent = t == null ? "" : String(t); return d.innerHTML; };

  async function lookup(event) {
    event.preventDefault();
    const body = {
      lp_number: document.getElementById("q-number").value.trim(),
      name: document.getElementById("q-name").value.trim(),
      birth_date: document.getElementById("q-birth").value,
    };
    const result = document.getElementById("result");
    const resp = await fetch("/api/sp2hp", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      result.innerHTML = `<p class="none" id="no-match">${esc(data.message || "Tidak ditemukan.")}</p>`;
      return;
    }
    const notices = data.notices.map((n) =>
      `<li>${esc(new Date(n.at).toLocaleDateString("id-ID", { dateStyle: "long" }))}: ${esc(n.message)}</li>`).join("");
    result.innerHTML = `<div class="card" id="match"><p><b>${esc(data.lp_number)}</b></p>` +
      `<p>Keadaan: <b id="r-status">${esc(data.status_label)}</b>` +
      (data.stage_label ? ` · Tahap: <b id="r-stage">${esc(data.stage_label)}</b>` : "") + "</p>" +
      `<ol>${notices}</ol></div>`;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("sp2hp-form").addEventListener("submit", lookup);
  });
})();
