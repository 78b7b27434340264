// Draws the report from the embedded stanchion.load/1 document. Plain SVG, no libraries, no network.
(function () {
  "use strict";
  var doc = JSON.parse(document.getElementById("result").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00", "#b82e2e"];
  var drawn = 0;

  function el(tag, attrs, parent) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, s, cls, anchor) {
    var t = el("text", { x: x, y: y, "class": cls || "lbl", "text-anchor": anchor || "start" }, parent);
    t.textContent = s;
    return t;
  }
  function ms(us) { return us == null ? "-" : (us / 1000).toFixed(us < 10000 ? 3 : 1) + " ms"; }
  function fmt(n) { return n == null ? "-" : Number(n).toLocaleString("en-US", { maximumFractionDigits: 1 }); }
  function nice(max) {
    if (!(max > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(max))), m = max / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  // A line chart: series = [{name, points: [[x, y], ...]}]; xLog draws the x axis as log10.
  function chart(id, series, opts) {
    var box = document.getElementById(id);
    var all = [];
    series.forEach(function (s) { all = all.concat(s.points); });
    if (!all.length) {
      var p = document.createElement("div"); p.className = "empty"; p.textContent = opts.empty || "no data";
      box.appendChild(p); drawn++; return;
    }
    var W = 1000, H = 260, L = 70, R = 20, T = 26, B = 34;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img" }, box);
    var xs = all.map(function (p) { return p[0]; }), ys = all.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    if (x1 === x0) x1 = x0 + 1;
    var y1 = nice(Math.max.apply(null, ys) * 1.05);
    function X(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
    function Y(v) { return T + (1 - v / y1) * (H - T - B); }
    for (var i = 0; i <= 4; i++) {
      var yv = y1 * i / 4;
      el("line", { x1: L, x2: W - R, y1: Y(yv), y2: Y(yv), "class": "grid" }, svg);
      text(svg, L - 6, Y(yv) + 4, opts.yfmt(yv), "lbl", "end");
    }
    el("line", { x1: L, x2: L, y1: T, y2: H - B, "class": "axis" }, svg);
    el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, "class": "axis" }, svg);
    (opts.xticks || []).forEach(function (t) {
      if (t[0] < x0 || t[0] > x1) return;
      text(svg, X(t[0]), H - B + 16, t[1], "lbl", "middle");
    });
    text(svg, W - R, H - 4, opts.xlabel || "", "lbl", "end");
    series.forEach(function (s, n) {
      var color = s.color || COLORS[n % COLORS.length];
      var d = s.points.map(function (p, k) { return (k ? "L" : "M") + X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1); }).join("");
      el("path", { d: d, fill: "none", stroke: color, "stroke-width": 2, "data-series": s.name }, svg);
      el("rect", { x: L + 10 + n * 170, y: 6, width: 12, height: 12, fill: color }, svg);
      text(svg, L + 26 + n * 170, 16, s.name, "legend");
    });
    drawn++;
  }

  function row(table, cells, head) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) { var td = document.createElement(head ? "th" : "td"); td.textContent = c; tr.appendChild(td); });
    table.appendChild(tr);
  }

  // header, cards, warnings
  var plan = doc.plan;
  document.getElementById("meta").textContent = doc.started_at + " · " + plan.model + " model · " + plan.method +
    " · " + (plan.model === "open" ? (plan.rate ? plan.rate + " req/s" : "staged rate") : plan.concurrency + " connections") +
    " · " + plan.workers + " worker(s) · " + doc.elapsed_s + " s measured" + (doc.interrupted ? " · interrupted" : "") +
    (plan.content_type_added ? " · JSON body sent as application/json" : "");
  document.getElementById("schema").textContent = doc.schema;
  var lat = doc.latency_us, cards = document.getElementById("cards");
  [["requests", fmt(doc.requests.sent)], ["req/s", fmt(doc.throughput.rps)], ["MB/s", doc.throughput.mb_per_s.toFixed(3)],
   ["p50", ms(lat.percentiles.p50)], ["p99", ms(lat.percentiles.p99)], ["max", ms(lat.max)],
   ["error rate", (doc.requests.error_rate * 100).toFixed(3) + "%"]].concat(
    doc.requests.unfinished ? [["unfinished (cut off)", fmt(doc.requests.unfinished)]] : []).forEach(function (c) {
    var d = document.createElement("div"); d.className = "card";
    d.innerHTML = '<div class="k"></div><div class="v"></div>';
    d.firstChild.textContent = c[0]; d.lastChild.textContent = c[1]; cards.appendChild(d);
  });
  if (doc.loader.bottleneck) {
    var w = document.createElement("div"); w.className = "warn";
    w.textContent = "The loader, not the server, was the bottleneck: " + doc.loader.reasons.join("; ");
    document.getElementById("warnings").appendChild(w);
  }

  // percentiles table
  var pt = document.getElementById("percentiles");
  var labels = Object.keys(lat.percentiles);
  row(pt, [""].concat(["min", "mean", "stddev"], labels, ["max"]), true);
  row(pt, [plan.model === "open" ? "corrected" : "latency", ms(lat.min), ms(lat.mean), ms(lat.stddev)]
    .concat(labels.map(function (k) { return ms(lat.percentiles[k]); }), [ms(lat.max)]));
  var raw = doc.latency_uncorrected_us;
  if (raw && raw.count) {
    row(pt, ["uncorrected", ms(raw.min), ms(raw.mean), ms(raw.stddev)]
      .concat(labels.map(function (k) { return ms(raw.percentiles[k]); }), [ms(raw.max)]));
  }

  // latency distribution: x = log10(1 / (1 - p)), the usual HdrHistogram plot
  var dist = doc.distribution.filter(function (p) { return p.percentile < 100; }).map(function (p) {
    return [Math.log10(1 / (1 - p.percentile / 100)), p.us / 1000];
  });
  chart("chart-distribution", [{ name: "latency (ms) by percentile", points: dist }], {
    yfmt: function (v) { return v.toFixed(v < 10 ? 2 : 0) + " ms"; },
    xticks: [[0, "0%"], [1, "90%"], [2, "99%"], [3, "99.9%"], [4, "99.99%"], [5, "99.999%"]],
    xlabel: "percentile", empty: "no responses"
  });

  var tl = doc.timeline;
  function ticks() { return tl.map(function (r) { return [r.second, r.second + "s"]; }).filter(function (t, i) { return tl.length < 20 || i % Math.ceil(tl.length / 12) === 0; }); }
  chart("chart-throughput", [
    { name: "responses/s", points: tl.map(function (r) { return [r.second, r.rps]; }) },
    { name: "requests sent/s", points: tl.map(function (r) { return [r.second, r.requests]; }) }
  ], { yfmt: function (v) { return fmt(v); }, xticks: ticks(), xlabel: "second" });

  var latSeries = [
    { name: "p50", points: tl.filter(function (r) { return r.p50_us != null; }).map(function (r) { return [r.second, r.p50_us / 1000]; }) },
    { name: "p99", points: tl.filter(function (r) { return r.p99_us != null; }).map(function (r) { return [r.second, r.p99_us / 1000]; }) }
  ];
  if (plan.model === "open") {
    latSeries.push({ name: "p99 uncorrected", points: tl.filter(function (r) { return r.uncorrected_p99_us != null; }).map(function (r) { return [r.second, r.uncorrected_p99_us / 1000]; }) });
  }
  chart("chart-latency", latSeries, { yfmt: function (v) { return v.toFixed(v < 10 ? 2 : 0) + " ms"; }, xticks: ticks(), xlabel: "second", empty: "no responses" });

  var kinds = {};
  tl.forEach(function (r) { Object.keys(r.errors).forEach(function (k) { kinds[k] = 1; }); });
  var errSeries = Object.keys(kinds).map(function (k) {
    return { name: k, points: tl.map(function (r) { return [r.second, r.errors[k] || 0]; }) };
  });
  if (!errSeries.length) errSeries = [{ name: "errors", color: "#109618", points: tl.map(function (r) { return [r.second, 0]; }) }];
  chart("chart-errors", errSeries, { yfmt: function (v) { return fmt(v); }, xticks: ticks(), xlabel: "second" });

  // tables
  var st = document.getElementById("status");
  row(st, ["kind", "count"], true);
  Object.keys(doc.status).forEach(function (k) { row(st, ["HTTP " + k, fmt(doc.status[k])]); });
  Object.keys(doc.errors).forEach(function (k) { row(st, ["error: " + k, fmt(doc.errors[k])]); });
  var lt = document.getElementById("loader");
  row(lt, ["measure", "value"], true);
  row(lt, ["CPU, busiest second (share of one core)", (doc.loader.cpu_max * 100).toFixed(0) + "%"]);
  row(lt, ["event-loop lag, max", ms(doc.loader.loop_lag_max_us)]);
  if (plan.model === "open") row(lt, ["schedule lag, mean / max", ms(doc.loader.schedule_lag_mean_us) + " / " + ms(doc.loader.schedule_lag_max_us)]);
  var rec = document.getElementById("recommendations");
  doc.recommendations.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; rec.appendChild(li); });

  document.body.setAttribute("data-charts", String(drawn));
})();
