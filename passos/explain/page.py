"""The HTML page around the step-through: inline CSS and JavaScript, no network, no fonts.

`page(title, body, data, script)` puts the pieces together; the data travels as JSON inside a
<script type="application/json"> element. The controls keep stable ids for tests and keyboards:
#prev, #next, #play, #reset, #step-counter (data-step, data-total) and #panel.
"""
import json
from xml.sax.saxutils import escape

from .render import LINE_H

CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: #212121; background: #fafafa; }
header { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 8px 16px;
  align-items: center; padding: 10px 16px; background: #263238; color: #eceff1; }
header h1 { font-size: 17px; margin: 0 12px 0 0; font-weight: 600; }
.controls { display: flex; gap: 6px; align-items: center; }
button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid #90a4ae;
  background: #eceff1; color: #263238; cursor: pointer; }
button:hover:not(:disabled) { background: #ffffff; }
button:disabled { opacity: 0.45; cursor: default; }
#step-counter { font-variant-numeric: tabular-nums; min-width: 9em; }
#phase { padding: 1px 8px; border-radius: 10px; background: #546e7a; font-size: 12px; }
#phase.forward { background: #1565c0; } #phase.backward { background: #bf360c; }
.hint { color: #b0bec5; font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 430px; gap: 0; align-items: start; }
@media (max-width: 900px) {  /* a narrow frame (inline in a notebook or a docs page): share it */
  main { grid-template-columns: minmax(0, 1fr) minmax(220px, 45%); } }
#view { overflow-x: auto; padding: 16px; }
#panel { position: sticky; top: 52px; max-height: calc(100vh - 52px); overflow: auto;
  padding: 14px 18px; background: #ffffff; border-left: 1px solid #cfd8dc; }
#panel h2 { font-size: 16px; margin: 0 0 8px; }
#panel .formula { font: 15px/1.5 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  background: #eceff1; border-radius: 4px; padding: 6px 10px; margin: 6px 0;
  white-space: pre-wrap; }
#panel table { border-collapse: collapse;
  font: 13px 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
#panel td { padding: 2px 8px 2px 0; vertical-align: top; }
#panel td:first-child { color: #607d8b; white-space: nowrap; }
#panel .result { font-weight: bold; color: #bf360c; }
#panel .value-text { color: #0d47a1; }
#panel .grad-text { color: #bf360c; }
#steps { margin: 14px 0 0; padding: 8px 0 0 22px; border-top: 1px solid #eceff1; font-size: 12px;
  color: #78909c; }
#steps li { cursor: pointer; } #steps li.done { color: #37474f; }
#steps li.current { color: #bf360c; font-weight: bold; }
.passos-graph .node.pending rect { stroke-dasharray: 3 3; }
.passos-graph .node.current rect { stroke: #ff6f00; stroke-width: 3; fill: #fff8e1; }
.passos-graph .edge.current path { stroke: #ff6f00; stroke-width: 3; }
.passos-graph .edge.current .edge-label { font-weight: bold; }
.grid { display: inline-grid; gap: 2px; margin: 4px 18px 12px 0; vertical-align: top; }
.grid .cell { min-width: 46px; padding: 0 4px; height: 40px; display: flex;
  align-items: center; justify-content: center;
  background: #ffffff; border: 1px solid #cfd8dc; font: 14px 'DejaVu Sans Mono', Menlo, monospace; }
.grid .cell.pad { background: #eceff1; color: #90a4ae; }
.grid .cell.window { background: #fff3e0; border-color: #ef6c00; }
.grid .cell.best { background: #ffcc80; font-weight: bold; }
.grid .cell.filled { background: #e3f2fd; }
.grid .cell.current { background: #ff6f00; color: #ffffff; font-weight: bold; }
.grid-box { display: inline-block; vertical-align: top; }
.grid-box h3 { font-size: 13px; margin: 0 0 2px; color: #546e7a; }
"""

# The step engine: `steps[i].set` lists [selector, lines] pairs; each step remembers what
# it overwrote, so Previous undoes exactly one step.
# Stop, Play, the controls' state, buttons and keys, shared by both step-through engines
# (each defines next, prev, reset, show, `at`, `total`, `timer` and `data`).
PLAYER = """  function showControls(name, cls) {
    const counter = $('#step-counter'), phase = $('#phase');
    counter.textContent = 'step ' + at + ' / ' + total;
    counter.dataset.step = at; counter.dataset.total = total;
    phase.textContent = name; phase.className = cls;
    $('#prev').disabled = at === 0;
    $('#next').disabled = at === total;
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    $('#play').textContent = 'Play';
  }
  function play() {
    if (timer) { stop(); return; }
    if (at === total) reset();
    $('#play').textContent = 'Pause';
    timer = setInterval(() => { if (at >= total) { stop(); } else { next(); } }, data.interval);
  }
  $('#next').addEventListener('click', () => { stop(); next(); });
  $('#prev').addEventListener('click', () => { stop(); prev(); });
  $('#reset').addEventListener('click', reset);
  $('#play').addEventListener('click', play);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') { stop(); next(); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { stop(); prev(); e.preventDefault(); }
  });
"""

GRAPH_SCRIPT = """
(function () {
  const data = JSON.parse(document.getElementById('steps-data').textContent);
  const steps = data.steps, total = steps.length, SVGNS = 'http://www.w3.org/2000/svg';
  let at = 0, timer = null, shownAt = 0;
  const undo = [];
  const items = document.querySelectorAll('#steps li');
  const $ = (s) => document.querySelector(s);
  function lines(el) { return Array.from(el.querySelectorAll('tspan')).map((t) => t.textContent); }
  function setLines(el, ls) {
    const spans = el.querySelectorAll('tspan');
    if (spans.length === ls.length) { spans.forEach((t, i) => { t.textContent = ls[i]; }); return; }
    while (el.firstChild) el.removeChild(el.firstChild);
    ls.forEach((text, i) => {
      const t = document.createElementNS(SVGNS, 'tspan');
      t.setAttribute('x', el.getAttribute('x'));
      t.setAttribute('dy', i ? LINE_H : 0);
      t.textContent = text;
      el.appendChild(t);
    });
  }
  function apply(step) {
    const before = [];
    for (const [sel, ls] of step.set) {
      const el = $(sel);
      if (!el) continue;
      before.push([el, lines(el)]);
      setLines(el, ls);
    }
    return before;
  }
  function show() {
    document.querySelectorAll('.current').forEach((el) => el.classList.remove('current'));
    const step = at > 0 ? steps[at - 1] : null;
    const panel = $('#panel-body');
    panel.innerHTML = step ? step.panel : data.intro;
    if (step) {
      for (const sel of step.focus) {
        const el = $(sel);
        if (el) { el.classList.add('current'); }
      }
      const first = step.focus.length ? $(step.focus[0]) : null;
      if (first && first.scrollIntoView) {
        first.scrollIntoView({block: 'nearest', inline: 'nearest'});
      }
    }
    const name = step ? step.phase : 'given';
    showControls(name, name);
    // only the list items between the last shown step and this one change
    const lo = Math.max(0, Math.min(shownAt, at) - 1);
    const hi = Math.min(items.length, Math.max(shownAt, at) + 1);
    for (let i = lo; i < hi; i++) {
      items[i].classList.toggle('done', i < at);
      items[i].classList.toggle('current', i === at - 1);
    }
    shownAt = at;
  }
  function forward() { undo.push(apply(steps[at])); at += 1; }
  function back() { for (const [el, ls] of undo.pop().reverse()) setLines(el, ls); at -= 1; }
  function next() { if (at < total) { forward(); show(); } }
  function prev() { if (at > 0) { back(); show(); } }
  function goTo(n) {
    n = Math.max(0, Math.min(total, n));
    while (at < n) forward();
    while (at > n) back();
    show();
  }
  function reset() { stop(); goTo(0); }
  items.forEach((li, i) => li.addEventListener('click', () => { stop(); goTo(i + 1); }));
PLAYER
  window.passosSteps = {next, prev, reset, play, goTo, total};
  show();
})();
""".replace("LINE_H", str(LINE_H)).replace("PLAYER\n", PLAYER)

# The sliding-window engine: every frame carries its whole state, so any step is drawn directly.
GRID_SCRIPT = """
(function () {
  const data = JSON.parse(document.getElementById('steps-data').textContent);
  const frames = data.frames, total = frames.length;
  let at = 0, timer = null;
  const $ = (s) => document.querySelector(s);
  const cells = (grid) => Array.from(document.querySelectorAll('#' + grid + ' .cell'));
  function cell(grid, r, c) {
    return $('#' + grid + ' .cell[data-r="' + r + '"][data-c="' + c + '"]');
  }
  function show() {
    for (const g of ['image-grid', 'output-grid', 'products-grid']) {
      cells(g).forEach((el) => el.classList.remove('window', 'current', 'filled', 'best'));
    }
    const f = at > 0 ? frames[at - 1] : null;
    const out = f ? f.output_so_far : data.empty;
    out.forEach((row, r) => row.forEach((v, c) => {
      const el = cell('output-grid', r, c);
      el.textContent = v === null ? '' : v;
      if (v !== null) el.classList.add('filled');
    }));
    const products = f ? f.products_text : data.empty_products;
    products.forEach((row, r) => row.forEach((v, c) => {
      cell('products-grid', r, c).textContent = v;
    }));
    if (f) {
      for (let r = 0; r < f.window.length; r++) {
        for (let c = 0; c < f.window[0].length; c++) {
          cell('image-grid', f.top + r, f.left + c).classList.add('window');
        }
      }
      f.best.forEach(([r, c]) => {
        cell('image-grid', f.top + r, f.left + c).classList.add('best');
        cell('products-grid', r, c).classList.add('best');
      });
      cell('output-grid', f.row, f.col).classList.add('current');
    }
    $('#panel-body').innerHTML = f ? f.panel : data.intro;
    showControls(f ? 'window' : 'given', f ? 'forward' : 'given');
  }
  function next() { if (at < total) { at += 1; show(); } }
  function prev() { if (at > 0) { at -= 1; show(); } }
  function reset() { stop(); at = 0; show(); }
PLAYER
  window.passosSteps = {next, prev, reset, play, total};
  show();
})();
""".replace("PLAYER\n", PLAYER)

CONTROLS = """<div class="controls">
<button id="reset" type="button" title="back to the start">Reset</button>
<button id="prev" type="button" title="previous step (ArrowLeft)">&#9664; Previous</button>
<button id="next" type="button" title="next step (ArrowRight)">Next &#9654;</button>
<button id="play" type="button" title="play the steps one by one">Play</button>
<span id="step-counter" data-step="0" data-total="0">step 0</span>
<span id="phase">given</span>
</div><span class="hint">keys: &larr; &rarr;</span>"""


def page(title, view, data, script, step_titles=()):
    """One self-contained HTML document: header with controls, the view, the side panel."""
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    items = "".join(f"<li>{escape(t)}</li>" for t in step_titles)
    steps = f'<ol id="steps">{items}</ol>' if items else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f'<header><h1>{escape(title)}</h1>{CONTROLS}</header><main><div id="view">{view}</div>'
            f'<aside id="panel"><div id="panel-body"></div>{steps}</aside></main>'
            f'<script type="application/json" id="steps-data">{payload}</script><script>{script}</script>'
            f"</body></html>\n")
