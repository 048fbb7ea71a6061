/* Errors on the field itself: aria-invalid, a message tied by aria-describedby and read out
   (role=alert), focus moved there; API errors mapped from their `field` to the input. */
(function () {
  "use strict";
  const S = window.Siaga;

  function messageFor(input) {
    const id = (input.id || input.name) + "-error";
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("span");
      el.id = id;
      el.className = "field-error";
      el.setAttribute("role", "alert");
      (input.closest("label") || input).insertAdjacentElement("afterend", el);
    }
    return el;
  }

  S.fieldError = function (input, message) {
    const el = messageFor(input);
    el.textContent = message;
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(el.id)) described.push(el.id);
    input.setAttribute("aria-describedby", described.join(" "));
    input.focus();
    return false;
  };

  S.clearFieldError = function (input) {
    input.removeAttribute("aria-invalid");
    const el = document.getElementById((input.id || input.name) + "-error");
    if (el) el.textContent = "";
  };

  S.clearFormErrors = function (form) {
    for (const input of form.querySelectorAll("[aria-invalid]")) S.clearFieldError(input);
  };

  /* An API error: on the input its `field` names (fieldMap: API field -> input id), else a toast.
     The message drops a leading "body.<field>: " and pydantic's "Value error, ". */
  S.showApiError = function (err, fieldMap) {
    const data = err.data || {};
    const raw = String(data.field || "");
    const field = raw.replace(/^(body|query|path)\./, "").split(".")[0];
    const id = (fieldMap || {})[field] || field.replace(/_/g, "-");
    const message = String(err.message || "").replace(/^[\w.]+: /, "").replace(/^Value error, /, "");
    const input = id && document.getElementById(id);
    if (input) return S.fieldError(input, message);
    S.toast(message, true);
    return false;
  };
})();
