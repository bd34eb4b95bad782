// The browser-side script of the decision page's what-if, as text: reads the embedded model and
// region matrix and recomputes the projected transaction latency of every path whenever an input
// changes. Offline; touches nothing outside its page. The model is the projection's (analysis/
// projection.ts): T = a + k·(b − measured RTT + new RTT), plus connection setup without pooling,
// moved by the round trips of each leg it holds (whatif-data.ts setupRtts).

/** Plain ES2017, run after the page is parsed. Exposes `window.hcbenchWhatIf` (its last figures) for tests. */
export const WHATIF_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var source = document.getElementById('hcbench-whatif');
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var index = {};
  data.regions.forEach(function (name, i) { index[name] = i; });
  function $(id) { return document.getElementById(id); }
  function fmt(us) { var ms = us / 1000; return (Math.abs(ms) < 10 ? ms.toFixed(2) : ms.toFixed(1)) + ' ms'; }
  function regionRtt(from, to, scale) {
    if (!from || !to) return null;
    if (from === to) return data.sameRegionRttMs;
    var v = data.rttMs[index[from]][index[to]];
    return v == null ? null : v * scale;
  }
  function recompute() {
    var k = Math.round(Number($('whatif-k').value));
    var app = $('whatif-app').value, relayChoice = $('whatif-relay').value, site = $('whatif-site').value;
    var siteMs = Math.max(0, Number($('whatif-site-ms').value) || 0);
    var scale = Math.max(0.01, Number($('whatif-scale').value) || 1);
    var pooled = $('whatif-pooling').checked;
    var notes = [];
    if (!(k >= 1)) { k = 1; notes.push('round trips per transaction must be at least 1; using 1'); }
    if (k < data.kMin || k > data.kMax) notes.push('extrapolating: k = ' + k + ' is outside the measured ' + (data.kMin === data.kMax ? 'k = ' + data.kMin : 'k = ' + data.kMin + '–' + data.kMax));
    var moved = false, missing = false, noSetup = false, meanOnly = false;
    var out = {};
    data.paths.forEach(function (p) {
      var measuredRtt, newRtt, setupShiftMs = 0;
      if (p.kind === 'direct') {
        measuredRtt = p.measured.directRttMs;
        var d = regionRtt(app, site, scale);
        if (app && site && d == null) missing = true;
        newRtt = d == null ? measuredRtt : d + 2 * siteMs;
        setupShiftMs = p.setupRtts.direct * (newRtt - measuredRtt);
      } else {
        measuredRtt = p.measured.appToRelayRttMs + p.measured.relayToAgentRttMs;
        var relay = relayChoice || p.relayRegion || '';
        var r1 = regionRtt(app, relay, scale), r2 = regionRtt(relay, site, scale);
        if ((app && relay && r1 == null) || (relay && site && r2 == null)) missing = true;
        var newApp = r1 == null ? p.measured.appToRelayRttMs : r1;
        var newAgent = r2 == null ? p.measured.relayToAgentRttMs : r2 + 2 * siteMs;
        newRtt = newApp + newAgent;
        setupShiftMs = p.setupRtts.appToRelay * (newApp - p.measured.appToRelayRttMs) + p.setupRtts.relayToAgent * (newAgent - p.measured.relayToAgentRttMs);
      }
      if (Math.abs(newRtt - measuredRtt) > 0.0005) moved = true;
      if (p.source !== 'fit') meanOnly = true;
      var meanUs = p.aUs + k * (p.bUs + (newRtt - measuredRtt) * 1000);
      var setupUs = p.setupUs == null ? null : Math.max(0, p.setupUs + setupShiftMs * 1000);
      if (!pooled) { if (setupUs == null) noSetup = true; else meanUs += setupUs; }
      var p99Us = meanUs + p.tailUs;
      out[p.pathId] = { meanUs: meanUs, p99Us: p99Us, rttMs: newRtt, setupUs: setupUs };
      $('whatif-mean-' + p.pathId).textContent = fmt(meanUs);
      $('whatif-p99-' + p.pathId).textContent = fmt(p99Us);
      $('whatif-rtt-' + p.pathId).textContent = newRtt.toFixed(1) + ' ms';
      var budget = $('whatif-budget-' + p.pathId);
      if (budget && data.budgetMs != null) {
        var margin = data.budgetMs - p99Us / 1000;
        budget.textContent = (margin >= 0 ? 'meets, ' : 'misses, ') + (margin >= 0 ? '+' : '') + margin.toFixed(1) + ' ms';
      }
    });
    if (moved) notes.push('distances differ from the measured ones: the difference is carried over as network round trip, the machinery cost is the one measured at the measured distances');
    if (missing) notes.push('a region pair is missing from the region data: that leg keeps its measured distance');
    if (meanOnly) notes.push('no round-trip sweep behind some paths: their fixed cost is taken as 0 and the per-round-trip cost as the measured mean round trip');
    if (!pooled) notes.push(noSetup ? 'without pooling every transaction pays connection setup; not timed on some paths, left out there' : 'without pooling every transaction pays connection setup (measured p50; its handshake and upgrade round trips move with the distances)');
    notes.push('p99 = modelled mean + the p99 − mean spread measured at k = ' + data.k + ' (the spread may grow with k)');
    var list = $('whatif-notes');
    list.textContent = '';
    notes.forEach(function (n) { var li = document.createElement('li'); li.textContent = n; list.appendChild(li); });
    window.hcbenchWhatIf = { k: k, pooled: pooled, paths: out, notes: notes };
  }
  $('whatif-form').addEventListener('input', recompute);
  $('whatif-form').addEventListener('change', recompute);
  recompute();
})();
`;
