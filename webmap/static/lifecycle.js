/* The incident's life on the console: validate, accept (Polres), cancel a unit with a reason,
   reassign to another unit, merge a duplicate, record the call back, close with a disposition.
   Forms are in operator.html; this binds them and shows only what the incident allows now. */
(function () {
  "use strict";
  const S = window.Siaga;
  const $ = (id) => document.getElementById(id);
  const ACTIVE = ["sent", "acknowledged", "en_route", "on_scene"];
  const CLOSED_VALIDITY = ["invalid", "prank", "duplicate"];

  /* Lifecycle({incident(), me(), refresh(), recommend}) -> {render(inc), reassigning(), ...}. */
  S.Lifecycle = function (ctx) {
    const lc = { reassign: null };
    fill($("callback-outcome"), S.vocab("callback_outcomes"));
    fill($("close-callback"), S.vocab("callback_outcomes"));
    fill($("close-disposition"), S.vocab("dispositions"), ["duplikat", "iseng", "tidak_valid"]);

    function fill(select, options, skip) {
      for (const [value, label] of Object.entries(options)) {
        if (!(skip || []).includes(value)) select.add(new Option(label, value));
      }
    }

    async function post(path, body, fieldMap) {
      const inc = ctx.incident();
      try {
        const result = await S.apiFetch("/api/incidents/" + inc.id + path, { method: "POST", body });
        await ctx.refresh();
        return result || true;
      } catch (err) {
        S.showApiError(err, fieldMap);
        return null;
      }
    }

    lc.validate = (validity) => post("/validate", { validity });

    lc.render = function (inc) {
      const open = inc.status !== "closed";
      const active = (inc.assignments || []).filter((a) => ACTIVE.includes(a.status));
      renderActions(inc, open);
      renderAssigned(inc);
      $("recommend-box").hidden = !open || CLOSED_VALIDITY.includes(inc.validity);
      $("merge-form").hidden = !open || active.length > 0;
      $("close-form").hidden = !open || active.length > 0 || inc.validity !== "valid";
      $("callback-tel").href = "tel:" + inc.caller_phone;
      $("callback-tel").textContent = "Telepon " + inc.caller_phone;
      if (inc.callback_outcome) $("close-callback").value = inc.callback_outcome;
      if (!open) { $("cancel-form").hidden = true; lc.stopReassign(); }
      if (lc.reassign && !active.some((a) => a.id === lc.reassign.id)) lc.stopReassign();
    };

    function renderActions(inc, open) {
      const box = $("incident-actions");
      box.innerHTML = "";
      const actions = [];
      if (open && inc.validity === "pending") {
        actions.push(["Valid", "validate", () => lc.validate("valid"), "Alt+V"]);
        actions.push(["Iseng", "validate", () => lc.validate("prank")]);
        actions.push(["Tidak valid", "validate", () => lc.validate("invalid")]);
      }
      const role = ctx.me() && ctx.me().role;
      if (inc.status === "offered" && role === "polres_operator") {
        actions.push(["Terima (Polres)", "accept", () => post("/accept", {})]);
      }
      for (const [label, name, run, keys] of actions) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = name;
        button.innerHTML = S.escape(label) + (keys ? " <kbd>" + keys + "</kbd>" : "");
        if (keys) button.setAttribute("aria-keyshortcuts", keys);
        button.addEventListener("click", run);
        box.appendChild(button);
      }
    }

    function renderAssigned(inc) {
      const list = $("assigned");
      list.innerHTML = "";
      for (const a of inc.assignments || []) {
        const li = document.createElement("li");
        li.dataset.assignment = a.id;
        li.className = ACTIVE.includes(a.status) ? "active" : "ended";
        li.innerHTML = "<b>" + S.escape(a.call_sign || "unit " + a.unit_id) + "</b> · " +
          S.escape(S.fmt.label("assignment", a.status)) +
          (a.send_count > 1 ? " · dikirim " + S.fmt.number(a.send_count) + "×" : "") +
          (a.alerted_at && !a.acked_at ? ' · <b class="warn">belum dikonfirmasi unit!</b>' : "") +
          (a.eta_s ? " · ETA " + S.fmt.duration(a.eta_s) : "") +
          " · " + S.fmt.time(a.assigned_at, inc.timezone);
        if (ACTIVE.includes(a.status) && inc.status !== "closed") {
          li.appendChild(button("Ganti unit", "reassign", () => lc.startReassign(a)));
          li.appendChild(button("Batalkan", "cancel", () => lc.startCancel(a)));
        }
        list.appendChild(li);
      }
      if (!list.children.length) list.innerHTML = "<li>–</li>";
    }

    function button(label, action, run) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "small";
      b.dataset.action = action;
      b.textContent = label;
      b.addEventListener("click", run);
      return b;
    }

    lc.startCancel = function (a) {
      lc.cancelling = a;
      $("cancel-text").textContent = "Batalkan penugasan unit " + a.call_sign + "?";
      $("cancel-form").hidden = false;
      S.clearFormErrors($("cancel-form"));
      $("cancel-reason").value = "";
      $("cancel-reason").focus();
    };

    $("cancel-stop").addEventListener("click", () => { $("cancel-form").hidden = true; });
    $("cancel-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const reason = $("cancel-reason").value.trim();
      if (!reason) return S.fieldError($("cancel-reason"), "Alasan pembatalan wajib diisi.");
      const a = lc.cancelling;
      const done = await post("/assignments/" + a.id + "/cancel", { reason }, { reason: "cancel-reason" });
      if (done) {
        $("cancel-form").hidden = true;
        S.toast("Penugasan " + a.call_sign + " dibatalkan.");
        ctx.recommend.load(ctx.incident().id).catch(() => {});
      }
    });

    lc.startReassign = function (a) {
      lc.reassign = a;
      ctx.recommend.setMode("reassign");
      $("reassign-box").hidden = false;
      $("reassign-text").textContent = "Pilih unit pengganti untuk " + a.call_sign +
        " di tabel rekomendasi (Alt+1…9).";
      S.clearFieldError($("reassign-reason"));
      $("reassign-reason").focus();
    };

    lc.stopReassign = function () {
      lc.reassign = null;
      $("reassign-box").hidden = true;
      ctx.recommend.setMode("assign");
    };
    $("reassign-stop").addEventListener("click", lc.stopReassign);

    /* The recommendation picked while reassigning: one request swaps the units. */
    lc.reassignTo = async function (rec) {
      const reason = $("reassign-reason").value.trim();
      if (!reason) return S.fieldError($("reassign-reason"), "Alasan penggantian wajib diisi.");
      const old = lc.reassign;
      const done = await post("/assignments/" + old.id + "/reassign",
        { unit_id: rec.unit_id, reason, eta_s: rec.eta_s }, { reason: "reassign-reason" });
      if (done) {
        lc.stopReassign();
        S.toast(old.call_sign + " diganti " + rec.call_sign + ".");
        ctx.recommend.load(ctx.incident().id).catch(() => {});
      }
      return done;
    };

    $("merge-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const into = parseInt($("merge-into").value.replace(/^#/, ""), 10);
      if (!into) return S.fieldError($("merge-into"), "Isi nomor laporan asli.");
      S.clearFieldError($("merge-into"));
      if (await post("/merge", { into_id: into }, { into_id: "merge-into", incident_id: "merge-into" })) {
        S.toast("Laporan digabung ke #" + into + ".");
      }
    });

    $("callback-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { outcome: $("callback-outcome").value, note: $("callback-note").value };
      if (await post("/callback", body, { outcome: "callback-outcome", note: "callback-note" })) {
        S.toast("Telepon balik dicatat.");
        $("callback-note").value = "";
      }
    });

    $("close-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      S.clearFormErrors($("close-form"));
      const body = { disposition: $("close-disposition").value, callback_outcome: $("close-callback").value,
        note: $("close-note").value };
      const fields = { disposition: "close-disposition", callback_outcome: "close-callback",
        note: "close-note", incident_id: "close-go" };
      if (await post("/close", body, fields)) {
        S.toast("Laporan #" + ctx.incident().id + " ditutup.");
        $("close-note").value = "";
      }
    });
    return lc;
  };
})();
