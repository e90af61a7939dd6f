/* Sciatica Care — the body figures' behaviour. Loaded with `defer`; no inline script (the CSP forbids it).
 *
 * Pain drawing (intake form, [data-pain-drawing]): every region of the figure is a toggle (role="button",
 * aria-pressed) for one pain area on one side. Marking regions ticks the form's `pain.areas` boxes and sets
 * `episode.side` to left, right or both from the sides marked; ticking a box or choosing a side redraws the
 * figure, so the boxes stay a full fallback. The drawing as drawn travels in hidden `pain.drawing` fields.
 *
 * Plan figure ([data-plan-figure]): hovering, tapping or focusing a point shows what its <title> says (where,
 * how deep, cautions, why) in the details panel named by data-details, set beside the point; a tap or focus
 * keeps it open until Escape, the close button or a tap elsewhere on the figure.
 *
 * Text is only ever set with textContent: nothing here builds HTML from strings.
 */
(function () {
  "use strict";

  var SIDES = ["left", "right"];

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function painDrawing(root) {
    var form = root.closest("form");
    if (!form) return;
    var regions = all(root, ".region[data-area][data-side]");
    var boxes = all(form, 'input[type="checkbox"][name="pain.areas"]');
    var sideRadios = all(form, 'input[type="radio"][name="episode.side"]');
    var tokens = root.querySelector("[data-pain-tokens]");
    var summary = root.querySelector("[data-pain-summary]");
    var order = (root.getAttribute("data-areas") || "").split(" ").filter(Boolean);
    var names = {};
    var marked = new Set();

    function key(side, area) { return side + ":" + area; }

    regions.forEach(function (r) {
      var area = r.getAttribute("data-area");
      if (!names[area]) names[area] = (r.getAttribute("aria-label") || area).replace(/^(Left|Right) /, "");
      if (r.getAttribute("aria-pressed") === "true") marked.add(key(r.getAttribute("data-side"), area));
    });

    function chosenSide() {
      var on = sideRadios.filter(function (r) { return r.checked; })[0];
      return on ? on.value : "";
    }

    function sidesFor(side) {
      return side === "left" || side === "right" ? [side] : SIDES;
    }

    function areasMarked() {
      var out = new Set();
      marked.forEach(function (k) { out.add(k.split(":")[1]); });
      return out;
    }

    function describe() {
      var parts = [];
      SIDES.forEach(function (side) {
        var list = order.filter(function (a) { return marked.has(key(side, a)); }).map(function (a) { return names[a]; });
        if (list.length) parts.push(side.charAt(0).toUpperCase() + side.slice(1) + ": " + list.join(", "));
      });
      return parts.length ? parts.join("; ") + "." : "Nothing marked yet.";
    }

    function draw() {
      regions.forEach(function (r) {
        var on = marked.has(key(r.getAttribute("data-side"), r.getAttribute("data-area")));
        r.setAttribute("aria-pressed", on ? "true" : "false");
        r.classList.toggle("marked", on);
      });
      if (tokens) {
        while (tokens.firstChild) tokens.removeChild(tokens.firstChild);
        SIDES.forEach(function (side) {
          order.forEach(function (a) {
            if (!marked.has(key(side, a))) return;
            var input = document.createElement("input");
            input.type = "hidden";
            input.name = "pain.drawing";
            input.value = key(side, a);
            tokens.appendChild(input);
          });
        });
      }
      if (summary) summary.textContent = describe();
    }

    // The drawing was changed: tick the areas, set the side, and tell the form (the plan preview listens).
    function drawingChanged() {
      var chosen = areasMarked();
      boxes.forEach(function (b) { b.checked = chosen.has(b.value); });
      var left = false, right = false;
      marked.forEach(function (k) { if (k.indexOf("left:") === 0) left = true; else right = true; });
      var side = left && right ? "both" : left ? "left" : right ? "right" : "";
      if (side) sideRadios.forEach(function (r) { r.checked = r.value === side; });
      draw();
      form.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function toggle(region) {
      var k = key(region.getAttribute("data-side"), region.getAttribute("data-area"));
      if (marked.has(k)) marked.delete(k); else marked.add(k);
      drawingChanged();
    }

    regions.forEach(function (r) {
      r.addEventListener("click", function () { toggle(r); });
      r.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
          e.preventDefault();
          toggle(r);
        }
      });
    });

    // The form was changed by hand: a box ticked or cleared, or the side chosen.
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (!t || t === form) return;
      if (t.name === "pain.areas") {
        sidesFor(chosenSide()).forEach(function (side) {
          if (t.checked) marked.add(key(side, t.value));
        });
        if (!t.checked) SIDES.forEach(function (side) { marked.delete(key(side, t.value)); });
        draw();
      } else if (t.name === "episode.side") {
        var chosen = areasMarked();
        marked.clear();
        chosen.forEach(function (a) { sidesFor(t.value).forEach(function (side) { marked.add(key(side, a)); }); });
        draw();
      }
    });

    root.classList.add("ready");
  }

  function planFigure(root) {
    var panel = document.getElementById(root.getAttribute("data-details") || "");
    if (!panel) return;
    var points = all(root, "g.point[data-code]");
    var current = null;
    var pinned = false;

    function fill(g) {
      var t = g.querySelector("title");
      var lines = t ? t.textContent.split("\n").filter(Boolean) : [g.getAttribute("aria-label") || ""];
      while (panel.firstChild) panel.removeChild(panel.firstChild);
      var close = document.createElement("button");
      close.type = "button";
      close.className = "close";
      close.setAttribute("aria-label", "Close the point details");
      close.textContent = "\u00d7";
      close.addEventListener("click", function (e) { e.stopPropagation(); hide(); });
      var head = document.createElement("h3");
      head.textContent = lines[0];
      var dl = document.createElement("dl");
      var notes = [];
      lines.slice(1).forEach(function (line) {
        var m = /^(Where|Depth|Cautions|Why): (.*)$/.exec(line);
        if (m) {
          var dt = document.createElement("dt");
          dt.textContent = m[1];
          var dd = document.createElement("dd");
          dd.textContent = m[2];
          if (m[1] === "Cautions") dd.className = "cautions";
          dl.appendChild(dt);
          dl.appendChild(dd);
        } else {
          var p = document.createElement("p");
          p.textContent = line;
          if (/^EXCLUDED|^Forbidden/.test(line)) p.className = "excluded";
          notes.push(p);
        }
      });
      panel.appendChild(close);
      panel.appendChild(head);
      panel.appendChild(dl);
      notes.forEach(function (p) { panel.appendChild(p); });
    }

    // Beside the point, on whichever side has room, inside the figure.
    function place(g) {
      var box = root.getBoundingClientRect();
      var at = g.getBoundingClientRect();
      var w = panel.offsetWidth, h = panel.offsetHeight, gap = 14;
      var x = at.right - box.left + gap;
      if (x + w > box.width) x = at.left - box.left - w - gap;
      x = Math.max(0, Math.min(x, box.width - w));
      var y = at.top - box.top - 16;
      y = Math.max(0, Math.min(y, box.height - h));
      panel.style.left = x + "px";
      panel.style.top = y + "px";
    }

    function show(g, pin) {
      if (current !== g) fill(g);
      current = g;
      pinned = pinned || !!pin;
      panel.classList.remove("idle");
      points.forEach(function (p) { p.classList.toggle("active", p === g); });
      place(g);
    }

    function hide() {
      current = null;
      pinned = false;
      panel.classList.add("idle");
      points.forEach(function (p) { p.classList.remove("active"); });
    }

    points.forEach(function (g) {
      g.addEventListener("mouseenter", function () { if (!pinned) show(g, false); });
      g.addEventListener("mouseleave", function () { if (!pinned) hide(); });
      g.addEventListener("focus", function () { pinned = false; show(g, true); });
      g.addEventListener("click", function (e) { e.stopPropagation(); pinned = false; show(g, true); });
      g.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") { e.preventDefault(); show(g, true); }
      });
    });
    root.addEventListener("click", function (e) { if (!panel.contains(e.target)) hide(); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && current) {
        var was = current;
        hide();
        if (document.activeElement === was) was.blur();
      }
    });
    window.addEventListener("resize", function () { if (current) place(current); });
    root.classList.add("ready");
  }

  function start() {
    all(document, "[data-pain-drawing]").forEach(painDrawing);
    all(document, "[data-plan-figure]").forEach(planFigure);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
