// unfold's interactive figures: a small viewer of our own (no library, no network).
//
// Each `<stem>.view.js` beside a figure calls unfoldView(document.currentScript, data) with
// the figure's panels. Once the page has loaded, every figure with data gets a widget on
// top of its static image: curves with hover values, a legend that hides and shows series
// and a log/linear switch; 3-D points and surfaces that turn (drag) and zoom (Ctrl+wheel, pinch);
// a slider with play/pause over an animation's frames. Without JavaScript the page shows the
// PNGs as before; "static figure" brings the image back.
(function () {
  "use strict";
  var pending = [];
  var viewers = [];
  window.unfoldView = function (script, view) {
    pending.push({ figure: script && script.getAttribute("data-figure"), view: view });
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v) {
    if (v === null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, "e");
    return String(Number(v.toPrecision(4)));
  }

  // Ticks at 1, 2 or 5 times a power of ten.
  function ticks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var raw = span / Math.max(count, 1);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * mag; }).find(function (s) { return s >= raw; });
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }

  // Ticks (as log10 of the value) for a log axis spanning less than a decade: values 1, 2
  // and 5 (or else 1 to 9) times a power of ten, so the labels read 0.2, 0.5, not 0.631.
  function logTicks(lo, hi) {
    var pick = function (mantissas) {
      var out = [];
      for (var k = Math.floor(lo); k <= Math.ceil(hi); k++) {
        mantissas.forEach(function (m) { var t = Math.log10(m) + k; if (t >= lo && t <= hi) out.push(t); });
      }
      return out;
    };
    var nice = pick([1, 2, 5]);
    if (nice.length < 2) nice = pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    return nice.length >= 2 ? nice : ticks(lo, hi, 5);
  }

  // A log-axis tick t (log10 of the value) as 10ⁿ or m×10ⁿ.
  function powerLabel(t) {
    var e = Math.floor(t + 1e-9), m = Math.round(Math.pow(10, t - e));
    if (Math.abs(Math.pow(10, t - e) - m) > 1e-6) return fmt(Math.pow(10, t));
    var sup = String(e).split("").map(function (c) { return "⁰¹²³⁴⁵⁶⁷⁸⁹"[+c] || "⁻"; }).join("");
    return (m === 1 ? "" : m + "×") + "10" + sup;
  }

  function range(values, margin) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) { if (isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } });
    if (lo > hi) return [0, 1];
    if (hi - lo < 1e-12) { var h = lo === 0 ? 1 : Math.abs(lo) * 0.1; return [lo - h, hi + h]; }
    var m = (hi - lo) * margin;
    return [lo - m, hi + m];
  }

  // A canvas sized to its box, drawn at the device's pixel density.
  function canvasIn(cell, aspect) {
    var canvas = el("canvas", "uv-canvas");
    cell.appendChild(canvas);
    return {
      canvas: canvas,
      begin: function () {
        var w = Math.max(cell.clientWidth, 200), h = Math.round(w * aspect);
        var dpr = window.devicePixelRatio || 1;
        canvas.style.width = w + "px";
        canvas.style.height = h + "px";
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
        var g = canvas.getContext("2d");
        g.setTransform(dpr, 0, 0, dpr, 0, 0);
        g.clearRect(0, 0, w, h);
        g.font = "12px system-ui, sans-serif";
        return { g: g, w: w, h: h };
      }
    };
  }

  function legendIn(cell, series, hidden, redraw) {
    var box = el("div", "uv-legend");
    series.forEach(function (s, i) {
      if (!s.label) return;
      var b = el("button", "uv-entry");
      b.type = "button";
      var sw = el("span", "uv-swatch" + (s.dashed ? " dashed" : "") + (s.p ? " dot" : ""));
      sw.style.borderColor = s.color;
      sw.style.background = s.dashed ? "transparent" : s.color;
      b.appendChild(sw);
      b.appendChild(document.createTextNode(s.label));
      b.title = "click to hide or show";
      b.addEventListener("click", function () {
        hidden[i] = !hidden[i];
        b.classList.toggle("off", hidden[i]);
        redraw();
      });
      box.appendChild(b);
    });
    cell.appendChild(box);
  }

  // ---- curves -------------------------------------------------------------------------
  function LinesViewer(cell, panel) {
    var hidden = panel.series.map(function () { return false; });
    var positive = panel.series.every(function (s) { return s.y.every(function (v) { return v === null || v > 0; }); });
    var state = { log: !!panel.log_y, hover: null };
    var surface = canvasIn(cell, 0.62);
    var tip = el("div", "uv-tip");
    tip.hidden = true;
    cell.appendChild(tip);
    var frame = null;
    var ty = function (v) { return state.log ? (v > 0 ? Math.log10(v) : NaN) : v; };

    function draw() {
      var c = surface.begin(), g = c.g;
      var xs = [], ys = [];
      panel.series.forEach(function (s, i) {
        if (hidden[i]) return;
        s.x.forEach(function (x, k) { var y = ty(s.y[k]); if (x !== null && isFinite(y)) { xs.push(x); ys.push(y); } });
      });
      var xr = range(xs, 0.02), yr = range(ys, 0.06);
      var box = { l: 62, r: c.w - 12, t: 10, b: c.h - 40 };
      var X = function (x) { return box.l + (x - xr[0]) / (xr[1] - xr[0]) * (box.r - box.l); };
      var Y = function (y) { return box.b - (y - yr[0]) / (yr[1] - yr[0]) * (box.b - box.t); };
      frame = { X: X, Y: Y, xr: xr, box: box };
      g.strokeStyle = "#ddd"; g.fillStyle = "#444"; g.lineWidth = 1;
      g.textAlign = "right"; g.textBaseline = "middle";
      var yt = state.log ? ticks(Math.ceil(yr[0]), Math.floor(yr[1]), 6).filter(function (t) { return t === Math.round(t); }) : ticks(yr[0], yr[1], 6);
      if (state.log && yt.length < 2) yt = logTicks(yr[0], yr[1]);
      // One notation per log axis, as on the PNG: powers of ten for all once one needs it.
      var powers = state.log && yt.some(function (t) { return t < -3.0001 || t > 4.0001; });
      yt.forEach(function (t) {
        var y = Y(t);
        if (y < box.t || y > box.b) return;
        g.beginPath(); g.moveTo(box.l, y); g.lineTo(box.r, y); g.stroke();
        g.fillText(powers ? powerLabel(t) : state.log ? fmt(Math.pow(10, t)) : fmt(t), box.l - 6, y);
      });
      g.textAlign = "center"; g.textBaseline = "top";
      var xt = ticks(xr[0], xr[1], Math.max(3, Math.floor((box.r - box.l) / 90)));
      // Whole-numbered x values (epochs, hidden units) get whole-numbered ticks.
      var whole = xs.every(function (x) { return x === Math.round(x); });
      var wholeTicks = xt.filter(function (t) { return t === Math.round(t); });
      if (whole && wholeTicks.length >= 2) xt = wholeTicks;
      xt.forEach(function (t) {
        var x = X(t);
        if (x < box.l || x > box.r) return;
        g.beginPath(); g.moveTo(x, box.t); g.lineTo(x, box.b); g.stroke();
        g.fillText(fmt(t), x, box.b + 5);
      });
      g.fillText(panel.x_label + (state.log ? "" : ""), (box.l + box.r) / 2, box.b + 22);
      g.save(); g.translate(12, (box.t + box.b) / 2); g.rotate(-Math.PI / 2);
      var logged = state.log && !/\(log\)$/.test(panel.y_label);
      g.fillText(panel.y_label + (logged ? " (log)" : ""), 0, -6); g.restore();
      g.strokeStyle = "#888"; g.strokeRect(box.l, box.t, box.r - box.l, box.b - box.t);
      g.save();
      g.beginPath(); g.rect(box.l, box.t, box.r - box.l, box.b - box.t); g.clip();
      panel.series.forEach(function (s, i) {
        if (hidden[i]) return;
        g.strokeStyle = s.color; g.lineWidth = 1.8; g.setLineDash(s.dashed ? [7, 4] : []);
        g.beginPath();
        var open = false;
        s.x.forEach(function (x, k) {
          var y = ty(s.y[k]);
          if (x === null || !isFinite(y)) { open = false; return; }
          if (open) g.lineTo(X(x), Y(y)); else { g.moveTo(X(x), Y(y)); open = true; }
        });
        g.stroke();
        // Short curves get a marker at every point, as on the PNG, and a point with no
        // neighbour (a lone evaluation) always has one.
        var shown = function (k) { return k >= 0 && k < s.x.length && s.x[k] !== null && isFinite(ty(s.y[k])); };
        var count = s.x.filter(function (x, k) { return shown(k); }).length;
        g.fillStyle = s.color;
        s.x.forEach(function (x, k) {
          if (!shown(k) || (count > 40 && (shown(k - 1) || shown(k + 1)))) return;
          g.beginPath(); g.arc(X(x), Y(ty(s.y[k])), 3, 0, 2 * Math.PI); g.fill();
        });
      });
      g.setLineDash([]);
      if (state.hover !== null) {
        var hx = X(state.hover);
        g.strokeStyle = "rgba(0,0,0,.35)"; g.beginPath(); g.moveTo(hx, box.t); g.lineTo(hx, box.b); g.stroke();
        // The points the tooltip reads, ringed on their curves.
        panel.series.forEach(function (s, i) {
          if (hidden[i] || !s.x.length) return;
          var k = nearest(s, state.hover), y = ty(s.y[k]);
          if (s.x[k] === null || !isFinite(y)) return;
          g.beginPath(); g.arc(X(s.x[k]), Y(y), 4.5, 0, 2 * Math.PI);
          g.fillStyle = s.color; g.fill(); g.strokeStyle = "white"; g.lineWidth = 1.5; g.stroke();
        });
      }
      g.restore();
    }

    // The point of `s` nearest to x (x increases along a curve).
    function nearest(s, x) {
      var lo = 0, hi = s.x.length - 1;
      while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (s.x[mid] < x) lo = mid; else hi = mid; }
      return Math.abs(s.x[lo] - x) <= Math.abs(s.x[hi] - x) ? lo : hi;
    }

    surface.canvas.addEventListener("mousemove", function (ev) {
      if (!frame) return;
      var rect = surface.canvas.getBoundingClientRect();
      var px = ev.clientX - rect.left, py = ev.clientY - rect.top;
      var b = frame.box;
      if (px < b.l || px > b.r || py < b.t || py > b.b) { tip.hidden = true; state.hover = null; draw(); return; }
      var x = frame.xr[0] + (px - b.l) / (b.r - b.l) * (frame.xr[1] - frame.xr[0]);
      var lines = [];
      var at = null;
      panel.series.forEach(function (s, i) {
        if (hidden[i] || !s.x.length) return;
        var k = nearest(s, x);
        if (at === null) at = s.x[k];
        lines.push((s.label || "series " + (i + 1)) + ": " + fmt(s.y[k]));
      });
      if (at === null) return;
      state.hover = at;
      tip.textContent = panel.x_label + " " + fmt(at) + " — " + lines.join(" · ");
      tip.hidden = false;
      draw();
    });
    surface.canvas.addEventListener("mouseleave", function () { tip.hidden = true; state.hover = null; draw(); });
    legendIn(cell, panel.series, hidden, draw);
    if (positive) {
      var label = el("label", "uv-toggle");
      var box = el("input");
      box.type = "checkbox";
      box.checked = state.log;
      box.addEventListener("change", function () { state.log = box.checked; draw(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" log scale"));
      cell.appendChild(label);
    }
    draw();
    return { draw: draw, setPanel: function (p) { panel = p; draw(); } };
  }

  // ---- 3-D points and surfaces ----------------------------------------------------------
  function coolwarm(t) {
    t = Math.min(1, Math.max(0, t));
    var a = [59, 76, 192], m = [221, 221, 221], b = [180, 4, 38];
    var p = t < 0.5 ? a : m, q = t < 0.5 ? m : b, u = t < 0.5 ? t * 2 : t * 2 - 1;
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(p[i] + (q[i] - p[i]) * u); }).join(",") + ")";
  }

  function Viewer3d(cell, first) {
    var view = { yaw: -0.9, pitch: 0.35, zoom: 1 };
    var panel = first, hidden = [];
    var surface = canvasIn(cell, 0.8);
    var canvas = surface.canvas;
    canvas.classList.add("uv-3d");
    var legendBox = el("div");
    cell.appendChild(legendBox);

    function bounds() {
      if (panel.type === "surface") {
        var zr = panel.z_range || range(panel.z, 0);
        return [panel.x_range, panel.y_range, zr];
      }
      var axes = [[], [], []];
      panel.series.forEach(function (s) { for (var i = 0; i < s.p.length; i += 3) { axes[0].push(s.p[i]); axes[1].push(s.p[i + 1]); axes[2].push(s.p[i + 2]); } });
      return axes.map(function (a) { return range(a, 0.04); });
    }

    function draw() {
      var c = surface.begin(), g = c.g;
      var b = bounds();
      var cy = Math.cos(view.yaw), sy = Math.sin(view.yaw), cp = Math.cos(view.pitch), sp = Math.sin(view.pitch);
      var scale = Math.min(c.w, c.h) * 0.3 * view.zoom;
      // Data to the unit cube, then turned about z and seen from above at `pitch`: farther
      // points (larger depth) are drawn first.
      function project(x, y, z) {
        var u = [0, 1, 2].map(function (i) { var v = [x, y, z][i]; return ((v - b[i][0]) / (b[i][1] - b[i][0])) * 2 - 1; });
        var rx = u[0] * cy - u[1] * sy, ry = u[0] * sy + u[1] * cy;
        var depth = ry * cp - u[2] * sp, up = u[2] * cp + ry * sp;
        return [c.w / 2 + rx * scale, c.h / 2 - up * scale, depth];
      }
      g.strokeStyle = "#ccc"; g.lineWidth = 1;
      var corners = [];
      for (var k = 0; k < 8; k++) corners.push(project(b[0][k & 1], b[1][(k >> 1) & 1], b[2][(k >> 2) & 1]));
      [[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7]].forEach(function (e) {
        g.beginPath(); g.moveTo(corners[e[0]][0], corners[e[0]][1]); g.lineTo(corners[e[1]][0], corners[e[1]][1]); g.stroke();
      });
      g.fillStyle = "#333"; g.textAlign = "center"; g.textBaseline = "middle";
      // Axis names and tick values on the edges facing the viewer, as a plot's axes would be:
      // for x and y the nearer bottom edge, for z the vertical edge farthest left; both
      // pushed away from the cube's centre so they never sit on the data.
      var labels = panel.labels || ["x", "y", "z"];
      var mid = function (i) { return (b[i][0] + b[i][1]) / 2; };
      var centre = project(mid(0), mid(1), mid(2));
      var xAtY = project(mid(0), b[1][0], b[2][0])[2] < project(mid(0), b[1][1], b[2][0])[2] ? 0 : 1;
      var yAtX = project(b[0][0], mid(1), b[2][0])[2] < project(b[0][1], mid(1), b[2][0])[2] ? 0 : 1;
      var zAt = [[0, 0], [0, 1], [1, 0], [1, 1]].reduce(function (best, c) {
        var p = project(b[0][c[0]], b[1][c[1]], b[2][0]);
        return best && best.x <= p[0] ? best : { c: c, x: p[0] };
      }, null).c;
      var edges = [
        [0, [b[0][0], b[1][xAtY], b[2][0]], [b[0][1], b[1][xAtY], b[2][0]]],
        [1, [b[0][yAtX], b[1][0], b[2][0]], [b[0][yAtX], b[1][1], b[2][0]]],
        [2, [b[0][zAt[0]], b[1][zAt[1]], b[2][0]], [b[0][zAt[0]], b[1][zAt[1]], b[2][1]]]
      ];
      var outward = function (x, y, d) {
        var dx = x - centre[0], dy = y - centre[1], len = Math.max(Math.hypot(dx, dy), 1);
        return [x + dx / len * d, y + dy / len * d];
      };
      edges.forEach(function (e) {
        var axis = e[0], p = project.apply(null, e[1]), q = project.apply(null, e[2]);
        var lo = b[axis][0], hi = b[axis][1];
        g.save(); g.font = "10px system-ui, sans-serif"; g.fillStyle = "#666";
        // About one value per 45 px of edge on screen.
        var count = Math.max(2, Math.floor(Math.hypot(q[0] - p[0], q[1] - p[1]) / 45));
        ticks(lo, hi, count).forEach(function (t) {
          var f = (t - lo) / (hi - lo);
          if (f < 0.02 || f > 0.98) return;
          var at = outward(p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f, 14);
          g.fillText(fmt(t), at[0], at[1]);
        });
        g.restore();
        var name = outward((p[0] + q[0]) / 2, (p[1] + q[1]) / 2, 34);
        g.fillText(labels[axis], name[0], name[1]);
      });
      if (panel.type === "surface") {
        var quads = [];
        var node = function (col, row) {
          var x = panel.x_range[0] + (panel.x_range[1] - panel.x_range[0]) * col / (panel.cols - 1);
          var y = panel.y_range[0] + (panel.y_range[1] - panel.y_range[0]) * row / (panel.rows - 1);
          var z = panel.z[row * panel.cols + col];
          return z === null ? null : { p: project(x, y, Math.min(b[2][1], Math.max(b[2][0], z))), z: z };
        };
        for (var r = 0; r + 1 < panel.rows; r++) for (var q = 0; q + 1 < panel.cols; q++) {
          var n = [node(q, r), node(q + 1, r), node(q + 1, r + 1), node(q, r + 1)];
          if (n.some(function (v) { return v === null; })) continue;
          var zm = (n[0].z + n[1].z + n[2].z + n[3].z) / 4;
          quads.push({ n: n, d: (n[0].p[2] + n[2].p[2]) / 2, c: coolwarm((zm - b[2][0]) / (b[2][1] - b[2][0])) });
        }
        quads.sort(function (a, c2) { return c2.d - a.d; });
        quads.forEach(function (f) {
          g.beginPath(); g.moveTo(f.n[0].p[0], f.n[0].p[1]);
          for (var i = 1; i < 4; i++) g.lineTo(f.n[i].p[0], f.n[i].p[1]);
          g.closePath(); g.fillStyle = f.c; g.fill(); g.strokeStyle = "rgba(60,60,60,.25)"; g.stroke();
        });
        return;
      }
      var pts = [];
      panel.series.forEach(function (s, i) {
        if (hidden[i]) return;
        for (var k = 0; k < s.p.length; k += 3) { var p = project(s.p[k], s.p[k + 1], s.p[k + 2]); p.push(s.color); pts.push(p); }
      });
      pts.sort(function (a, c2) { return c2[2] - a[2]; });
      var radius = pts.length > 2000 ? 2 : 3;
      pts.forEach(function (p) {
        g.fillStyle = p[3]; g.beginPath(); g.arc(p[0], p[1], radius, 0, 2 * Math.PI); g.fill();
      });
    }

    function setPanel(p) {
      var same = panel && p.type === panel.type && JSON.stringify((p.series || []).map(function (s) { return s.label; })) === JSON.stringify((panel.series || []).map(function (s) { return s.label; }));
      panel = p;
      if (!same || !legendBox.firstChild) {
        hidden = (p.series || []).map(function () { return false; });
        legendBox.innerHTML = "";
        if (p.series) legendIn(legendBox, p.series, hidden, draw);
      }
      draw();
    }

    // Drag to turn, Ctrl+wheel or two fingers to zoom, double-click to reset.
    var pointers = {};
    canvas.addEventListener("pointerdown", function (ev) { pointers[ev.pointerId] = [ev.clientX, ev.clientY]; canvas.setPointerCapture(ev.pointerId); });
    canvas.addEventListener("pointermove", function (ev) {
      var last = pointers[ev.pointerId];
      if (!last) return;
      var ids = Object.keys(pointers);
      if (ids.length === 1) {
        view.yaw -= (ev.clientX - last[0]) * 0.01;
        view.pitch = Math.max(-1.5, Math.min(1.5, view.pitch + (ev.clientY - last[1]) * 0.01));
      } else if (ids.length === 2) {
        var other = pointers[ids[0] == ev.pointerId ? ids[1] : ids[0]];
        var before = Math.hypot(last[0] - other[0], last[1] - other[1]);
        var after = Math.hypot(ev.clientX - other[0], ev.clientY - other[1]);
        if (before > 0) view.zoom = Math.max(0.3, Math.min(6, view.zoom * after / before));
      }
      pointers[ev.pointerId] = [ev.clientX, ev.clientY];
      draw();
    });
    var release = function (ev) { delete pointers[ev.pointerId]; };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
    canvas.addEventListener("wheel", function (ev) {
      // A plain wheel scrolls the page past the figure; Ctrl (also a trackpad pinch) zooms.
      if (!(ev.ctrlKey || ev.metaKey)) return;
      ev.preventDefault();
      view.zoom = Math.max(0.3, Math.min(6, view.zoom * Math.exp(-ev.deltaY * 0.001)));
      draw();
    }, { passive: false });
    canvas.addEventListener("dblclick", function () { view = { yaw: -0.9, pitch: 0.35, zoom: 1 }; draw(); });
    canvas.title = "drag to turn, Ctrl+wheel or pinch to zoom, double-click to reset";
    setPanel(first);
    return { draw: draw, setPanel: setPanel };
  }

  // ---- 2-D points and decision regions ------------------------------------------------
  function Viewer2d(cell, first) {
    var panel = first;
    var surface = canvasIn(cell, 0.9);
    var legendBox = el("div");
    cell.appendChild(legendBox);
    var hidden = [];
    function draw() {
      var c = surface.begin(), g = c.g;
      var xs = [], ys = [];
      panel.series.forEach(function (s) { for (var i = 0; i < s.p.length; i += 2) { xs.push(s.p[i]); ys.push(s.p[i + 1]); } });
      var xr = panel.x_range || range(xs, 0.05), yr = panel.y_range || range(ys, 0.05);
      var box = { l: 46, r: c.w - 8, t: 8, b: c.h - 34 };
      var X = function (x) { return box.l + (x - xr[0]) / (xr[1] - xr[0]) * (box.r - box.l); };
      var Y = function (y) { return box.b - (y - yr[0]) / (yr[1] - yr[0]) * (box.b - box.t); };
      if (panel.type === "regions") {
        var cw = (box.r - box.l) / panel.cols, rh = (box.b - box.t) / panel.rows;
        for (var r = 0; r < panel.rows; r++) for (var q = 0; q < panel.cols; q++) {
          var k = parseInt(panel.classes.charAt(r * panel.cols + q), 36);
          g.fillStyle = panel.palette[k % panel.palette.length];
          g.globalAlpha = 0.26;
          g.fillRect(box.l + q * cw, box.b - (r + 1) * rh, cw + 0.6, rh + 0.6);
        }
        g.globalAlpha = 1;
      }
      g.fillStyle = "#444"; g.strokeStyle = "#888"; g.textAlign = "center"; g.textBaseline = "top";
      ticks(xr[0], xr[1], 5).forEach(function (t) { g.fillText(fmt(t), X(t), box.b + 4); });
      g.textAlign = "right"; g.textBaseline = "middle";
      ticks(yr[0], yr[1], 5).forEach(function (t) { g.fillText(fmt(t), box.l - 5, Y(t)); });
      g.strokeRect(box.l, box.t, box.r - box.l, box.b - box.t);
      g.textAlign = "center"; g.textBaseline = "top";
      g.fillText((panel.labels || ["x", "y"])[0], (box.l + box.r) / 2, box.b + 18);
      panel.series.forEach(function (s, i) {
        if (hidden[i]) return;
        g.fillStyle = s.color;
        for (var k = 0; k < s.p.length; k += 2) { g.beginPath(); g.arc(X(s.p[k]), Y(s.p[k + 1]), 2.4, 0, 2 * Math.PI); g.fill(); }
      });
    }
    function setPanel(p) {
      var fresh = !legendBox.firstChild;
      panel = p;
      if (fresh) { hidden = p.series.map(function () { return false; }); legendIn(legendBox, p.series, hidden, draw); }
      draw();
    }
    setPanel(first);
    return { draw: draw, setPanel: setPanel };
  }

  function viewerFor(cell, panel) {
    if (panel.type === "lines") return LinesViewer(cell, panel);
    if (panel.type === "points3d" || panel.type === "surface") return Viewer3d(cell, panel);
    return Viewer2d(cell, panel);
  }

  // ---- widgets ------------------------------------------------------------------------
  function panelCells(widget, panels, columns) {
    var grid = el("div", "uv-panels");
    var count = Math.max(1, Math.min(columns || 1, panels.length, 3));
    grid.style.gridTemplateColumns = "repeat(" + count + ", minmax(0, 1fr))";
    // One panel across the whole page would be taller than the window.
    if (count === 1) grid.classList.add("uv-single");
    widget.appendChild(grid);
    return panels.map(function (p) {
      var cell = el("div", "uv-cell");
      cell.appendChild(el("div", "uv-title", p.title));
      if (p.note) cell.appendChild(el("div", "uv-note", p.note));
      grid.appendChild(cell);
      return cell;
    });
  }

  function mount(entry) {
    var img = Array.prototype.find.call(document.querySelectorAll("img"), function (i) { return i.getAttribute("src") === entry.figure; });
    if (!img) return false;
    var figure = img.closest("figure");
    var still = img.closest("a") || img;
    figure.classList.add("uv-wide");
    var widget = el("div", "uv-widget");
    var bar = el("div", "uv-bar");
    var toggle = el("button", "uv-switch", "static figure");
    toggle.type = "button";
    toggle.addEventListener("click", function () {
      var showStill = still.hidden;
      still.hidden = !showStill;
      widget.hidden = showStill;
      toggle.textContent = showStill ? "interactive figure" : "static figure";
    });
    bar.appendChild(toggle);
    figure.insertBefore(bar, still);
    figure.insertBefore(widget, still);
    // A hidden lazy image would never load (and count as missing): load it now.
    img.loading = "eager";
    img.src = img.getAttribute("src");
    still.hidden = true;
    var view = entry.view;
    if (view.frames) {
      var frames = view.frames;
      var controls = el("div", "uv-frames");
      var play = el("button", "uv-play", "▶ play");
      play.type = "button";
      var slider = el("input", "uv-slider");
      slider.type = "range"; slider.min = "0"; slider.max = String(frames.length - 1); slider.step = "1";
      slider.value = String(frames.length - 1);
      var label = el("span", "uv-frame-label");
      controls.appendChild(play); controls.appendChild(slider); controls.appendChild(label);
      widget.appendChild(controls);
      var cells = panelCells(widget, frames[frames.length - 1].panels, view.columns);
      var slots = cells.map(function (cell, i) { return viewerFor(cell, frames[frames.length - 1].panels[i]); });
      var show = function (k) {
        var f = frames[k];
        label.textContent = f.label || "frame " + (k + 1);
        widget.setAttribute("data-frame", String(k));
        slots.forEach(function (s, i) { if (f.panels[i]) s.setPanel(f.panels[i]); });
      };
      slider.addEventListener("input", function () { show(Number(slider.value)); });
      var timer = null;
      play.addEventListener("click", function () {
        if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; return; }
        if (Number(slider.value) >= frames.length - 1) slider.value = "0";
        play.textContent = "❚❚ pause";
        timer = setInterval(function () {
          var k = Number(slider.value) + 1;
          if (k >= frames.length) { clearInterval(timer); timer = null; play.textContent = "▶ play"; return; }
          slider.value = String(k);
          show(k);
        }, 300);
      });
      show(frames.length - 1);
      slots.forEach(function (s) { viewers.push(s); });
    } else {
      var cellsStill = panelCells(widget, view.panels, view.columns);
      cellsStill.forEach(function (cell, i) { viewers.push(viewerFor(cell, view.panels[i])); });
    }
    return true;
  }

  function start() {
    var mounted = 0;
    pending.forEach(function (entry) {
      try { if (mount(entry)) mounted += 1; } catch (e) { console.error("unfold view " + entry.figure + ": " + e); }
    });
    document.body.setAttribute("data-views", String(mounted));
    var again = null;
    window.addEventListener("resize", function () {
      clearTimeout(again);
      again = setTimeout(function () { viewers.forEach(function (v) { v.draw(); }); }, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
