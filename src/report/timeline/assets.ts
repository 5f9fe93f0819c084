/**
 * The timeline page's own style and script, inlined into every page (no file is read at run time,
 * so the compiled package writes the same page). The script draws from the page's data (page.ts,
 * svg.ts): the diagram's items in view (with a screen's margin above and below; a run of under
 * 1,500 items, all of them) go in the DOM as the view moves, and the trace's lines in view
 * likewise (under 1,000 lines, all of them), so a long run opens at once and stays quick.
 * Everything else works on the data, so it covers the whole run: zoom (buttons, + and -,
 * Ctrl+wheel), pan (drag, scroll), search by IRP, socket, connection, pool block, thread, host or
 * any text of a record (hits are marked on what is drawn), and keyboard navigation between events
 * (j/k or arrows; n/N between search hits; v to the violation; / to search).
 */

export const TIMELINE_CSS = `
:root { font: 12px/1.35 system-ui, sans-serif; color: #1d1f23; background: #fff; }
body { margin: 0; }
#bar { position: sticky; top: 0; z-index: 3; display: flex; flex-wrap: wrap; gap: 8px;
  align-items: center; padding: 6px 10px; background: #f3f4f6; border-bottom: 1px solid #ccd; }
#bar h1 { font-size: 14px; margin: 0 12px 0 0; }
#bar .status-failed { color: #b00020; font-weight: 600; }
#bar .status-passed { color: #1b7f3b; font-weight: 600; }
#bar input { width: 220px; padding: 2px 6px; }
#bar button { padding: 1px 8px; }
#keys { color: #555; }
#main { display: flex; height: calc(100vh - 120px); min-height: 320px; }
#scroll { flex: 1; overflow: auto; position: relative; cursor: grab;
  border-bottom: 1px solid #ccd; }
#head-wrap { position: sticky; top: 0; z-index: 2; background: #fafafa;
  border-bottom: 1px solid #dde; width: max-content; }
#details { width: 320px; overflow: auto; padding: 8px; border-left: 1px solid #ccd;
  font-family: ui-monospace, monospace; font-size: 11px; white-space: pre-wrap; }
svg text { font-size: 9px; fill: #333; }
.host-name { font-size: 12px; font-weight: 700; fill: #000; }
.lane-name { font-size: 10px; fill: #555; }
.lane { stroke: #c8ccd4; stroke-dasharray: 3 3; }
.lane-host { stroke: #8a90a0; stroke-dasharray: none; }
.choice-lane { stroke: #d9c8f0; }
.time { text-anchor: end; fill: #666; }
.break rect { fill: #eef0f4; }
.break text { fill: #556; font-style: italic; }
.partition { fill: #f4a261; fill-opacity: 0.14; }
.crash { fill: #9b2226; fill-opacity: 0.12; }
.life.irp { fill: #dbe7ff; stroke: #4a74c9; }
.life.pool { fill: #e6f4e0; stroke: #4d8f3a; }
.life.open { stroke: #b00020; stroke-width: 2; }
.state rect { fill: #b9d7ea; }
.state text { fill: #245; }
.mark circle, .mark rect, .mark path { fill: #555; }
.wsk-call rect { fill: #3558a8; }
.callback path { fill: #8e44ad; }
.inspection path { fill: #d07a00; }
.irp circle { fill: #4a74c9; }
.irp.irp-pending circle { fill: #e0a000; }
.irp.irp-completed circle { fill: #1b7f3b; }
.irp.failed circle { fill: #b00020; }
.irp.irp-freed circle { fill: #999; }
.pool circle { fill: #4d8f3a; }
.after-free { stroke: #b00020; stroke-width: 2; stroke-dasharray: 3 3; }
.pool-touched circle { fill: #8fbf7f; }
.pool-touched.after-free circle { fill: #b00020; }
.pool-touched.after-free text { fill: #b00020; font-weight: 700; }
.lane-thread { stroke: #b8a070; }
.thread-span.running rect { fill: #e9c46a; }
.thread-span.waiting rect { fill: #fff; stroke: #b8860b; stroke-dasharray: 2 2; }
.thread-span.waiting text { fill: #8a6400; font-style: italic; }
.thread circle { fill: #b8860b; }
.thread.thread-timed-out circle, .thread.thread-timed-out text { fill: #b00020; }
.segment line { stroke: #3d6fb6; stroke-width: 1.2; }
.segment circle { fill: #3d6fb6; }
.segment-label { fill: #3d6fb6; }
.segment.dropped line { stroke: #b00020; stroke-dasharray: 4 2; }
.segment .cross { stroke: #b00020; stroke-width: 2; fill: none; }
.segment .reason { fill: #b00020; font-weight: 600; }
.segment.unusual line { stroke: #d07a00; stroke-width: 2; }
#arrow path { fill: #3d6fb6; }
.choice rect { fill: #b9a5d6; }
.choice.non-default rect { fill: #7b2cbf; }
.choice.non-default text { fill: #7b2cbf; font-weight: 700; }
.violation path { fill: #b00020; }
.violation text { fill: #b00020; font-weight: 700; }
.failure-band rect { fill: #b00020; fill-opacity: 0.16; stroke: #b00020; }
.failure-band text { fill: #b00020; font-weight: 700; font-size: 10px; }
.mark.hit circle, .mark.hit rect, .mark.hit path { fill: #ff006e; }
.mark.hit text { fill: #ff006e; font-weight: 700; }
.mark.hit line { stroke: #ff006e; stroke-width: 2.5; }
.life.hit { stroke: #ff006e; stroke-width: 3; }
.mark.current circle, .mark.current rect, .mark.current path { stroke: #000; stroke-width: 2; }
.mark.current text { text-decoration: underline; }
section { padding: 6px 12px; }
#failure pre { background: #fff1f2; border: 1px solid #f0b4bb; padding: 8px; overflow: auto; }
#trace { font-family: ui-monospace, monospace; font-size: 11px; position: relative; }
#trace div { white-space: pre; position: absolute; left: 0; right: 0; height: 15px;
  line-height: 15px; overflow: hidden; }
#trace div:target, #trace div.current { background: #fff3bf; }
#trace div.hit { background: #ffd6e7; }
#trace .choice { color: #6b4aa0; }
#trace .choice.non-default { color: #7b2cbf; font-weight: 700; }
`;

export const TIMELINE_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('timeline-data').textContent);
  var scroll = document.getElementById('scroll');
  var body = document.getElementById('timeline');
  var view = document.getElementById('view');
  var head = document.getElementById('lanes-head');
  var details = document.getElementById('details');
  var search = document.getElementById('search');
  var count = document.getElementById('search-count');
  var zoomText = document.getElementById('zoom');
  var traceBox = document.getElementById('trace');
  var W = +body.getAttribute('width'), H = +body.getAttribute('height');
  var HH = +head.getAttribute('height');
  var zoom = 1;
  var items = D.items, templates = D.templates, strings = D.strings;
  var ALL = true, ALL_LINES = true, LINE = 15;
  var cache = [], top = 0;
  items.forEach(function (item) {
    top = item[1] += top;
    item[2] += top;
  });
  function markup(i) {
    var m = cache[i];
    if (m === undefined) {
      var item = items[i];
      m = cache[i] = templates[item[0]].replace(/\$(\d+|w|e)/g, function (_, n) {
        var v = n === 'w' ? item[3] : n === 'e' ? item[4] : item[5 + +n];
        return typeof v === 'object' ? strings[v[0]] : v;
      });
    }
    return m;
  }
  // The trace: records and choices in the order the run made them, formatted in the page.
  var lines = [], c = 0;
  function choiceLines(upTo) {
    while (c < D.choices.length && D.choices[c][0] <= upTo) lines.push(-1 - c++);
  }
  for (var r = 0; r < D.records.length; r++) { choiceLines(r); lines.push(r); }
  choiceLines(D.records.length);
  var lineOf = {};
  lines.forEach(function (entry, k) { lineOf[entry] = k; });
  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(t) {
    return /[&<>"']/.test(t) ? t.replace(/[&<>"']/g, function (x) { return ESC[x]; }) : t;
  }
  function clip(t, n) { return t.length <= n ? t : t.slice(0, n - 1) + '…'; }
  function push(template, top, bottom, row, entry, args) {
    items.push([template, Math.floor(top), Math.ceil(bottom), row, entry].concat(args));
  }
  // The segments and the choices, drawn here from the records and choices (svg.ts draws the
  // same in Node): the page carries them once.
  if (D.named) (function () {
    var N = D.named, rowY = D.rowY, y0 = 0, sent = {}, last = {}, f = null, x = D.choiceX;
    for (var k = 0; k < rowY.length; k++) y0 = rowY[k] += y0;
    function field(rec, name) {
      var v = rec[2 + f[name]];
      return v !== null && typeof v === 'object' ? strings[v[0]] : v;
    }
    function packet(rec, r, row, y) {
      var id = field(rec, 'id'), src = field(rec, 'source'), dst = field(rec, 'target');
      var from = D.hostX[src], to = D.hostX[dst];
      if (!from || !to) return;
      var phase = field(rec, 'phase'), fx = from[0], tx = to[0];
      var common = [id, esc(from[1]), esc(to[1])];
      if (phase === 'sent') {
        var before = sent[id], info = field(rec, 'info');
        sent[id] = { x: fx, y: y, d: before ? before.d : 0 };
        var label = esc(clip(info == null ? field(rec, 'bytes') + ' bytes' : info, 44));
        push(N.sent, y - 6, y + 6, row, r, common.concat([fx, y, fx + 6, y + 3, label]));
        return;
      }
      var start = sent[id] || { x: fx, y: y, d: 0 }, top = Math.min(start.y, y) - 6;
      if (phase === 'dropped') {
        var ex = Math.round(start.x + (tx - start.x) * 0.4), reason = field(rec, 'reason');
        push(N.dropped, top, y + 6, row, r, common.concat([esc(reason == null ? 'dropped' :
          reason), start.x, start.y, ex, y, ex - 4, y - 4, ex + 6, y + 3]));
        return;
      }
      start.d++;
      var way = src + ' ' + dst, reasons = [], previous = way in last ? last[way] : -1;
      if (start.d > 1) reasons.push('duplicate');
      if (previous > id) reasons.push('reordered');
      last[way] = Math.max(previous, id);
      var line = [start.x, start.y, tx, y];
      if (reasons.length === 0) push(N.delivered, top, y + 6, row, r, common.concat(line));
      else {
        push(N.unusual, top, y + 6, row, r,
          common.concat([reasons.join(', ')], line, [tx + 6, y + 3]));
      }
    }
    function choice(c, row, y) {
      var ch = D.choices[c];
      if (ch[4] === ch[5]) {
        push(N.choice, y - 4, y + 4, row, -1 - c, [c, x - 4, y - 4]);
        return;
      }
      var shown = strings[ch[3]] === 'chance' ? String(ch[4] === 1) : String(ch[4]);
      var text = strings[ch[1]] + ' = ' + shown;
      push(N.nonDefault, y - 4, y + 4, row, -1 - c,
        [c, x - 4, y - 4, x + 8, y + 3, esc(clip(text, 30)), esc(text)]);
    }
    lines.forEach(function (entry, row) {
      var y = rowY[row] + 7;
      if (entry < 0) { if (x !== null) choice(-1 - entry, row, y); return; }
      var rec = D.records[entry], shape = D.shapes[rec[0]];
      if (shape[0] !== 'net.packet') return;
      if (f === null) {
        f = {};
        shape[1].forEach(function (name, i) { f[name] = i; });
      }
      packet(rec, entry, row, y);
    });
  })();
  // A small run is drawn whole, once: a window saves nothing there.
  ALL = items.length < 1500;
  ALL_LINES = lines.length < 1000;
  // Marks: items with a row, in row order (the order of the run); j/k move between them.
  var marks = [];
  items.forEach(function (item, i) { if (item[3] >= 0) marks.push(i); });
  marks.sort(function (a, b) { return items[a][3] - items[b][3] || a - b; });
  var markOf = {};
  marks.forEach(function (item, m) { markOf[item] = m; });
  var current = -1, hits = [], hitItems = {}, hitEntries = {};

  function instant(at) {
    var f = String(Math.floor((at % 1e9) / 1e3));
    return Math.floor(at / 1e9) + '.' + '000000'.slice(f.length) + f + 's';
  }
  function entryText(entry) {
    if (entry >= 0) {
      var rec = D.records[entry], shape = D.shapes[rec[0]], text = instant(rec[1]) + ' ' + shape[0];
      for (var f = 0; f < shape[1].length; f++) {
        var v = rec[2 + f];
        if (v === null) continue;
        if (typeof v === 'object') v = strings[v[0]];
        if (typeof v === 'string' && /\s/.test(v)) text += ' ' + shape[1][f] + '="' + v + '"';
        else text += ' ' + shape[1][f] + '=' + v;
      }
      return '#' + entry + ' ' + text;
    }
    var ch = D.choices[-1 - entry], kind = strings[ch[3]];
    var shown = kind === 'chance' ? String(ch[4] === 1) : String(ch[4]);
    return '  choice ' + strings[ch[1]] + ' = ' + shown + '  [' + strings[ch[2]] + ', ' + kind +
      ' ' + ch[5] + '..' + ch[6] + (ch[7] ? ', fault point' : '') + ']' +
      (ch[4] === ch[5] ? '' : ' (not the default)');
  }
  function entryId(entry) { return entry >= 0 ? 'r' + entry : 'c' + (-1 - entry); }
  traceBox.style.height = lines.length * LINE + 'px';
  var traceFrom = -1, traceTo = -1, targetEntry = null;
  function renderTrace(force) {
    var top = -traceBox.getBoundingClientRect().top, h = window.innerHeight;
    var from = ALL_LINES ? 0 : Math.max(0, Math.floor((top - h) / LINE));
    var to = ALL_LINES ? lines.length : Math.min(lines.length, Math.ceil((top + 2 * h) / LINE));
    if (!force && from >= traceFrom && to <= traceTo) return;
    if (!ALL_LINES) { from = Math.max(0, from - 100); to = Math.min(lines.length, to + 100); }
    traceFrom = from; traceTo = to;
    var html = [];
    for (var k = from; k < to; k++) {
      var entry = lines[k], cls = entry < 0 ? 'choice' : '';
      if (entry < 0) {
        var ch = D.choices[-1 - entry];
        if (ch[4] !== ch[5]) cls += ' non-default';
      }
      if (hitEntries[entry]) cls += ' hit';
      if (entry === targetEntry) cls += ' current';
      var text = entryText(entry).replace(/&/g, '&amp;').replace(/</g, '&lt;');
      html.push('<div id="' + entryId(entry) + '" class="' + cls + '" style="top:' + k * LINE +
        'px" data-' + (entry < 0 ? 'choice="' + (-1 - entry) : 'record="' + entry) + '">' +
        text + '</div>');
    }
    traceBox.innerHTML = html.join('');
  }
  function showEntry(entry) {
    var k = lineOf[entry];
    if (k === undefined) return;
    targetEntry = entry;
    window.scrollTo(0, traceBox.getBoundingClientRect().top + window.scrollY + k * LINE -
      window.innerHeight / 3);
    renderTrace(true);
  }

  // The diagram: the items in view, with a screen's margin, put in the DOM as the view moves.
  var drawnFrom = 0, drawnTo = -1, drawn = [];
  function band() {
    var a = scroll.getBoundingClientRect(), b = body.getBoundingClientRect();
    var top = (a.top - b.top) / zoom, h = scroll.clientHeight / zoom;
    return [top, top + h];
  }
  function render(force) {
    var v = band(), h = v[1] - v[0];
    if (!force && (ALL ? drawnTo >= 0 : v[0] >= drawnFrom && v[1] <= drawnTo)) return;
    drawnFrom = ALL ? -Infinity : v[0] - h; drawnTo = ALL ? Infinity : v[1] + h;
    var html = [];
    drawn = [];
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item[2] < drawnFrom || item[1] > drawnTo) continue;
      drawn.push(i);
      html.push(markup(i));
    }
    view.innerHTML = html.join('');
    var nodes = view.children;
    for (var k = 0; k < nodes.length; k++) {
      var i2 = drawn[k], node = nodes[k];
      node.__item = i2;
      if (hitItems[i2]) node.classList.add('hit');
      if (current >= 0 && marks[current] === i2) node.classList.add('current');
    }
  }
  function nodeOf(i) {
    var nodes = view.children;
    for (var k = 0; k < nodes.length; k++) if (nodes[k].__item === i) return nodes[k];
    return null;
  }
  var pending = false;
  function onScroll() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(false); });
  }
  scroll.addEventListener('scroll', onScroll, { passive: true });
  var tracePending = false;
  window.addEventListener('scroll', function () {
    if (tracePending) return;
    tracePending = true;
    requestAnimationFrame(function () { tracePending = false; renderTrace(false); });
  }, { passive: true });

  function setZoom(z, cx, cy) {
    z = Math.max(0.05, Math.min(8, z));
    var k = z / zoom, sx = scroll.scrollLeft, sy = scroll.scrollTop;
    if (cx === undefined) { cx = scroll.clientWidth / 2; cy = scroll.clientHeight / 2; }
    zoom = z;
    body.setAttribute('width', W * z); body.setAttribute('height', H * z);
    head.setAttribute('width', W * z); head.setAttribute('height', HH * z);
    scroll.scrollLeft = (sx + cx) * k - cx; scroll.scrollTop = (sy + cy) * k - cy;
    zoomText.textContent = Math.round(z * 100) + '%';
    render(false);
  }
  document.getElementById('zoom-in').onclick = function () { setZoom(zoom * 1.25); };
  document.getElementById('zoom-out').onclick = function () { setZoom(zoom / 1.25); };
  document.getElementById('zoom-fit').onclick = function () {
    setZoom(Math.min(1, scroll.clientHeight / H));
  };
  scroll.addEventListener('wheel', function (e) {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    var r = scroll.getBoundingClientRect();
    setZoom(zoom * Math.exp(-e.deltaY * 0.002), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  scroll.addEventListener('mousedown', function (e) {
    if (e.button !== 0 || e.target.closest('a')) return;
    drag = { x: e.clientX, y: e.clientY, l: scroll.scrollLeft, t: scroll.scrollTop };
    if (document.activeElement === search) search.blur();
    e.preventDefault();
  });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    scroll.scrollLeft = drag.l - (e.clientX - drag.x);
    scroll.scrollTop = drag.t - (e.clientY - drag.y);
  });
  window.addEventListener('mouseup', function () { drag = null; });

  function entryOfItem(i) { return items[i][4]; }
  function describe(i) {
    var entry = entryOfItem(i);
    return entry === null ? '' : entryText(entry);
  }
  function scrollToItem(i) {
    var item = items[i], y = (item[1] + item[2]) / 2;
    scroll.scrollTop = y * zoom - scroll.clientHeight / 2;
    render(false);
  }
  function select(m) {
    if (m < 0 || m >= marks.length) return;
    if (current >= 0) {
      var old = nodeOf(marks[current]); if (old) old.classList.remove('current');
    }
    current = m;
    var i = marks[m], entry = entryOfItem(i);
    scrollToItem(i);
    var node = nodeOf(i);
    if (node) {
      node.classList.add('current');
      var box = node.getBBox();
      scroll.scrollLeft = Math.max(0, box.x * zoom - scroll.clientWidth / 3);
    }
    details.textContent = describe(i);
    if (entry !== null) {
      targetEntry = entry;
      renderTrace(true);
      var link = document.createElement('a');
      link.href = '#' + entryId(entry); link.textContent = '\n→ in the trace';
      details.appendChild(link);
    }
  }
  function itemOfNode(target) {
    var node = target.closest('#view > *');
    return node ? node.__item : undefined;
  }
  body.addEventListener('click', function (e) {
    var i = itemOfNode(e.target);
    if (i === undefined || markOf[i] === undefined || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    e.stopPropagation();
    select(markOf[i]);
  });
  body.addEventListener('mouseover', function (e) {
    var i = itemOfNode(e.target);
    if (i !== undefined && markOf[i] !== undefined) details.textContent = describe(i);
  });
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[href^="#r"], a[href^="#c"]');
    if (!a || e.ctrlKey || e.metaKey) return;
    var m = /^#([rc])(\d+)$/.exec(a.getAttribute('href'));
    if (!m) return;
    e.preventDefault();
    showEntry(m[1] === 'r' ? +m[2] : -1 - +m[2]);
  });

  function matchItems(test) {
    var found = [];
    for (var i = 0; i < items.length; i++) if (test(markup(i), i)) found.push(i);
    return found;
  }
  function attr(name, value, host) {
    var s = ' ' + name + '="' + value + '"';
    var h = host ? ' data-host="' + host.replace(/["\\]/g, '') + '"' : null;
    return function (text) {
      var open = text.slice(0, text.indexOf('>'));
      return open.indexOf(s) >= 0 && (h === null || open.indexOf(h) >= 0);
    };
  }
  function query(q) {
    q = q.trim();
    if (q === '') return null;
    var m = /^(?:(\S+)\s+)?(irp|socket|conn|block|pool|listener|thread)\s*#?\s*(\d+)$/i.exec(q);
    if (m) {
      var kind = m[2].toLowerCase();
      var name = kind === 'pool' ? 'data-block' : 'data-' + kind;
      return matchItems(attr(name, m[3], m[1]));
    }
    m = /^host\s+(\S+)$/i.exec(q);
    var byHost = attr('data-host', m ? m[1] : q);
    var found = matchItems(function (text, i) {
      return markOf[i] !== undefined && byHost(text);
    });
    if (found.length > 0) return found;
    var lower = q.toLowerCase();
    return marks.filter(function (i) { return describe(i).toLowerCase().indexOf(lower) >= 0; });
  }
  function runSearch() {
    hitItems = {}; hitEntries = {}; hits = [];
    var found = query(search.value);
    if (found !== null) {
      found.forEach(function (i) {
        hitItems[i] = true;
        if (markOf[i] !== undefined) {
          hits.push(markOf[i]);
          var entry = entryOfItem(i);
          if (entry !== null) hitEntries[entry] = true;
        }
      });
      hits.sort(function (a, b) { return a - b; });
    }
    count.textContent = found === null ? '' : hits.length + ' events';
    // The first hit comes into view when none is in view.
    var v = band();
    var seen = hits.some(function (h) {
      var item = items[marks[h]];
      return item[2] >= v[0] && item[1] <= v[1];
    });
    if (!seen && hits.length > 0) scrollToItem(marks[hits[0]]);
    render(true);
    renderTrace(true);
  }
  search.addEventListener('input', runSearch);
  function nextHit(step) {
    if (hits.length === 0) return;
    var i;
    if (step > 0) i = hits.filter(function (h) { return h > current; })[0];
    else i = hits.filter(function (h) { return h < current; }).pop();
    select(i === undefined ? hits[step > 0 ? 0 : hits.length - 1] : i);
  }
  search.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); nextHit(e.shiftKey ? -1 : 1); }
    if (e.key === 'Escape') { search.blur(); }
  });
  function violation() {
    for (var m = 0; m < marks.length; m++) {
      if (markup(marks[m]).indexOf(' data-kind="violation"') >= 0) return m;
    }
    return -1;
  }
  document.addEventListener('keydown', function (e) {
    if (e.target === search || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    if (k === 'j' || k === 'ArrowDown') select(current + 1);
    else if (k === 'k' || k === 'ArrowUp') select(Math.max(0, current - 1));
    else if (k === 'n') nextHit(1);
    else if (k === 'N') nextHit(-1);
    else if (k === '+' || k === '=') setZoom(zoom * 1.25);
    else if (k === '-') setZoom(zoom / 1.25);
    else if (k === '0') setZoom(1);
    else if (k === '/') search.focus();
    else if (k === 'v') {
      var v = violation();
      if (v >= 0) select(v);
    } else return;
    e.preventDefault();
  });
  var failure = -1;
  for (var f = 0; f < items.length; f++) {
    if (templates[items[f][0]].indexOf('failure-band') >= 0) failure = f;
  }
  if (failure >= 0 && !location.hash) {
    scroll.scrollTop = items[failure][1] * zoom - scroll.clientHeight / 2;
  }
  render(true);
  renderTrace(true);
  var hash = /^#([rc])(\d+)$/.exec(location.hash);
  if (hash) showEntry(hash[1] === 'r' ? +hash[2] : -1 - +hash[2]);
  window.wsksimTimeline = { select: select, search: function (q) {
    search.value = q; runSearch(); return hits.length;
  }, zoom: function () { return zoom; }, setZoom: setZoom, current: function () {
    return current;
  }, drawn: function () { return view.children.length; }, items: function () {
    return items.length;
  }, marks: function () { return marks.length; } };
})();
`;
