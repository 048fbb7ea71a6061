/* Indonesian formats for every page, in one place: numbers (1,3 km; 22.224 m), clock times
   (14.05 WITA), durations, fix ages, and the labels that replace raw codes. Loaded after
   siaga.js; it replaces Siaga's older formatters so every page shows the same forms. */
(function () {
  "use strict";
  const S = window.Siaga;
  const numberCache = {};
  const F = {};

  function numberFormat(digits) {
    if (!numberCache[digits]) {
      numberCache[digits] = new Intl.NumberFormat("id-ID", {
        minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    return numberCache[digits];
  }

  /* 22224 -> "22.224"; 1.25 with 1 digit -> "1,3". */
  F.number = function (value, digits) {
    if (value === null || value === undefined || isNaN(value)) return "–";
    return numberFormat(digits || 0).format(Number(value));
  };

  /* Metres: "850 m" below 1 km, "1,3 km" from there on. */
  F.distance = function (m) {
    if (m === null || m === undefined || isNaN(m)) return "–";
    return m >= 1000 ? F.number(m / 1000, 1) + " km" : F.number(Math.round(m)) + " m";
  };

  /* Seconds as m:ss or j:mm:ss, minus sign when negative (a clock past its target). */
  F.duration = function (seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    const sign = seconds < 0 ? "-" : "";
    let s = Math.floor(Math.abs(seconds));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    return sign + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  };

  /* A short spoken-style age: "12 dtk", "3 mnt", "2 jam". */
  F.age = function (seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + " dtk";
    if (s < 3600) return Math.floor(s / 60) + " mnt";
    return F.number(s / 3600, s < 36000 ? 1 : 0) + " jam";
  };

  const zoneOf = (tz) => S.zoneOf(tz);

  function local(iso, tz) {
    return new Date(new Date(iso).getTime() + S.zoneOffsetMs(tz));
  }

  /* A UTC instant as the zone's clock: "14.05 WITA" (withSeconds: "14.05.09 WITA"). */
  F.time = function (iso, tz, withSeconds) {
    if (!iso) return "–";
    const t = local(iso, tz).toISOString();
    const hm = t.slice(11, 13) + "." + t.slice(14, 16) + (withSeconds ? "." + t.slice(17, 19) : "");
    return hm + " " + zoneOf(tz);
  };

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
  /* "3 Des 2026 14.05 WITA". */
  F.dateTime = function (iso, tz) {
    if (!iso) return "–";
    const d = local(iso, tz);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + " " +
      F.time(iso, tz);
  };

  F.VALIDITY = { pending: "Belum divalidasi", valid: "Valid", invalid: "Tidak valid",
    prank: "Palsu / iseng", duplicate: "Duplikat" };
  F.PRIORITY = { 1: "Darurat", 2: "Segera", 3: "Biasa" };
  F.HANDLER = { polda: "Polda", polres: "Polres" };
  F.ROLE = { polda_operator: "Operator Polda", polres_operator: "Operator Polres",
    polsek_operator: "Operator Polsek", commander: "Komandan", admin: "Admin",
    planner: "Perencana", unit: "Unit patroli" };

  /* The label of a code from one of the vocabularies; never the code itself with underscores. */
  F.label = function (kind, code) {
    if (code === null || code === undefined || code === "") return "–";
    const tables = {
      status: S.INCIDENT_LABELS, unit: S.STATUS_LABELS, assignment: S.ASSIGNMENT_LABELS,
      kind: S.KIND_LABELS, validity: Object.assign({}, F.VALIDITY, S.vocab("validity")),
      priority: F.PRIORITY, category: S.vocab("categories"), disposition: S.vocab("dispositions"),
      callback: S.vocab("callback_outcomes"), channel: S.vocab("channels"), handler: F.HANDLER,
      role: F.ROLE,
    };
    const table = tables[kind] || {};
    if (table[code] !== undefined) return table[code];
    const text = String(code).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  };

  S.fmt = F;
  // One set of formats on every page: the older helpers now say the same thing.
  S.fmtDistance = F.distance;
  S.fmtDuration = F.duration;
  S.fmtLocal = (iso, tz) => F.time(iso, tz, true);
  S.categoryLabel = (code) => F.label("category", code);
})();
