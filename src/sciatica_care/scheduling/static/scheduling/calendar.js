/* Sciatica Care — the staff calendar's behaviour. Loaded with `defer`; no inline script (the CSP forbids it), and
 * every page works without it (the links and forms are plain ones; htmx loads the side panel in place).
 *
 * - A <select> or date input marked data-autosubmit sends its form when it changes (its Go/Show button is hidden).
 * - The side panel (#panel): when htmx fills it, focus moves to its heading; Escape or its close link empties it
 *   and puts focus back where it was. Text is never built from strings here.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var opener = null;

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (field.type === "date" && !field.value) return;
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });

  function panel() { return document.getElementById("panel"); }

  function close() {
    var p = panel();
    if (!p || !p.firstElementChild) return false;
    p.replaceChildren();
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
    return true;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "panel" && !(panel() && panel().contains(event.detail.elt))) {
      opener = event.detail.elt;
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "panel") {
      var heading = panel().querySelector("[data-focus]") || panel().querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-close]");
    if (link && panel() && panel().contains(link)) {
      event.preventDefault();
      close();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && close()) event.preventDefault();
  });
})();
