/**
 * The timeline page's own style and script, inlined into every page (no file is read at run
 * time, so the compiled package writes the same page). The script only reads and styles the DOM
 * the generator wrote: zoom (buttons, + and -, Ctrl+wheel), pan (drag, scroll), search by IRP,
 * socket, connection, pool block, host or any text of a record, and keyboard navigation between
 * events (j/k or arrows; n/N between search hits; v to the violation; / to search).
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
.pool-touched circle { fill: #b00020; }
.pool-touched text { fill: #b00020; font-weight: 700; }
.after-free { stroke: #b00020; stroke-width: 2; stroke-dasharray: 3 3; }
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
#trace { font-family: ui-monospace, monospace; font-size: 11px; }
#trace div { white-space: pre; }
#trace div:target, #trace div.current { background: #fff3bf; }
#trace div.hit { background: #ffd6e7; }
#trace .choice { color: #6b4aa0; }
#trace .choice.non-default { color: #7b2cbf; font-weight: 700; }
`;

export const TIMELINE_SCRIPT = `
(function () {
  'use strict';
  var scroll = document.getElementById('scroll');
  var body = document.getElementById('timeline');
  var head = document.getElementById('lanes-head');
  var details = document.getElementById('details');
  var search = document.getElementById('search');
  var count = document.getElementById('search-count');
  var zoomText = document.getElementById('zoom');
  var W = +body.getAttribute('width'), H = +body.getAttribute('height');
  var HH = +head.getAttribute('height');
  var zoom = 1;
  var marks = [].slice.call(body.querySelectorAll('.mark'));
  marks.sort(function (a, b) { return +a.getAttribute('data-row') - +b.getAttribute('data-row'); });
  marks.forEach(function (m, i) { m.__index = i; });
  var current = -1, hits = [];

  function setZoom(z, cx, cy) {
    z = Math.max(0.05, Math.min(8, z));
    var k = z / zoom, sx = scroll.scrollLeft, sy = scroll.scrollTop;
    if (cx === undefined) { cx = scroll.clientWidth / 2; cy = scroll.clientHeight / 2; }
    zoom = z;
    body.setAttribute('width', W * z); body.setAttribute('height', H * z);
    head.setAttribute('width', W * z); head.setAttribute('height', HH * z);
    scroll.scrollLeft = (sx + cx) * k - cx; scroll.scrollTop = (sy + cy) * k - cy;
    zoomText.textContent = Math.round(z * 100) + '%';
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

  function entryOf(mark) {
    var id = mark.getAttribute('data-record') !== null ? 'r' + mark.getAttribute('data-record')
      : 'c' + mark.getAttribute('data-choice');
    return document.getElementById(id);
  }
  function describe(mark) {
    var entry = entryOf(mark);
    return entry ? entry.textContent : '';
  }
  function select(i) {
    if (i < 0 || i >= marks.length) return;
    if (current >= 0) {
      marks[current].classList.remove('current');
      var old = entryOf(marks[current]); if (old) old.classList.remove('current');
    }
    current = i;
    var mark = marks[i], entry = entryOf(mark);
    mark.classList.add('current');
    if (entry) entry.classList.add('current');
    details.textContent = describe(mark);
    if (entry) {
      var link = document.createElement('a');
      link.href = '#' + entry.id; link.textContent = '\\n→ in the trace';
      details.appendChild(link);
    }
    var box = mark.getBBox();
    scroll.scrollTop = box.y * zoom - scroll.clientHeight / 2;
    scroll.scrollLeft = Math.max(0, box.x * zoom - scroll.clientWidth / 3);
  }
  body.addEventListener('click', function (e) {
    var mark = e.target.closest('.mark');
    if (!mark || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    select(mark.__index);
  });
  body.addEventListener('mouseover', function (e) {
    var mark = e.target.closest('.mark');
    if (mark) details.textContent = describe(mark);
  });

  function attr(name, value, host) {
    var s = '[' + name + '="' + value + '"]';
    return host ? s + '[data-host="' + host.replace(/["\\\\]/g, '') + '"]' : s;
  }
  function query(q) {
    q = q.trim();
    if (q === '') return null;
    var m = /^(?:(\\S+)\\s+)?(irp|socket|conn|block|pool|listener)\\s*#?\\s*(\\d+)$/i.exec(q);
    if (m) {
      var kind = m[2].toLowerCase();
      var name = kind === 'pool' ? 'data-block' : 'data-' + kind;
      return [].slice.call(body.querySelectorAll(attr(name, m[3], m[1])));
    }
    m = /^host\\s+(\\S+)$/i.exec(q);
    var host = m ? m[1] : q;
    var byHost = body.querySelectorAll('.mark' + attr('data-host', host));
    if (byHost.length > 0) return [].slice.call(byHost);
    var lower = q.toLowerCase();
    return marks.filter(function (mark) {
      return describe(mark).toLowerCase().indexOf(lower) >= 0;
    });
  }
  function clearHits() {
    [].forEach.call(document.querySelectorAll('.hit'), function (e) { e.classList.remove('hit'); });
    hits = [];
  }
  function runSearch() {
    clearHits();
    var found = query(search.value);
    if (found === null) { count.textContent = ''; return; }
    found.forEach(function (e) {
      e.classList.add('hit');
      if (e.classList.contains('mark')) {
        hits.push(e.__index);
        var entry = entryOf(e); if (entry) entry.classList.add('hit');
      }
    });
    hits.sort(function (a, b) { return a - b; });
    count.textContent = hits.length + ' events';
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
      var v = body.querySelector('.mark[data-kind="violation"]');
      if (v) select(v.__index);
    } else return;
    e.preventDefault();
  });
  var band = body.querySelector('.failure-band');
  if (band && !location.hash) scroll.scrollTop = band.getBBox().y - scroll.clientHeight / 2;
  window.wsksimTimeline = { select: select, search: function (q) {
    search.value = q; runSearch(); return hits.length;
  }, zoom: function () { return zoom; }, setZoom: setZoom, current: function () {
    return current;
  } };
})();
`;
