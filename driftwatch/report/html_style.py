"""The incident report's stylesheet: inline, print-friendly, no web fonts."""

from __future__ import annotations

STYLE = """
:root {
  --critical: #b71c1c; --high: #d84315; --medium: #b7791f; --low: #1565c0;
  --info: #546e7a; --ink: #1c2430; --muted: #5f6b7a; --line: #d9dee5;
  --panel: #f6f8fa; --warn-bg: #fff4e5; --warn-line: #f0a54a;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial,
  sans-serif; }
header.top { background: #1c2430; color: #fff; padding: 18px 32px 14px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header.top .meta { color: #c9d1db; font-size: 12.5px; }
header.top code { color: #fff; }
main { padding: 18px 32px 40px; max-width: 1500px; }
h2 { font-size: 17px; margin: 30px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--line); }
h2 .count { color: var(--muted); font-weight: 400; font-size: 14px; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12.5px; }
pre { margin: 4px 0; padding: 6px 8px; background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap;
  word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  background: var(--panel); }
.card h3 { margin: 0 0 6px; font-size: 12px; text-transform: uppercase;
  letter-spacing: .06em; color: var(--muted); }
.card .big { font-size: 30px; font-weight: 700; line-height: 1.1; }
.card .big.alarm { color: var(--critical); }
.card ul { margin: 6px 0 0; padding-left: 18px; }
.card li { margin: 1px 0; }
.pills { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 5px; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff;
  font-size: 11.5px; font-weight: 600; text-transform: uppercase; white-space: nowrap; }
.sev.zero { background: #e3e7ec !important; color: #8a96a3; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); }
.sev-info { background: var(--info); }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px;
  border: 1px solid var(--line); color: var(--muted); margin-left: 4px; }
.tag.danger { border-color: var(--critical); color: var(--critical); }
.tag.good { border-color: #2e7d32; color: #2e7d32; }
.banner { margin: 16px 0 0; padding: 10px 14px; border-radius: 6px;
  background: var(--warn-bg); border: 1px solid var(--warn-line); }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 7px 8px;
  border-bottom: 1px solid var(--line); }
th { font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; background: var(--panel); }
td.nowrap { white-space: nowrap; }
tr.sev-row-critical td:first-child { border-left: 4px solid var(--critical); }
tr.sev-row-high td:first-child { border-left: 4px solid var(--high); }
tr.sev-row-medium td:first-child { border-left: 4px solid var(--medium); }
tr.sev-row-low td:first-child { border-left: 4px solid var(--low); }
tr.sev-row-info td:first-child { border-left: 4px solid var(--info); }
.who strong { display: block; }
.small { font-size: 12px; color: var(--muted); }
.path { font-size: 12px; color: var(--muted); }
.path span + span::before { content: " \\2192  "; color: #9aa5b1; }
details summary { cursor: pointer; color: var(--low); font-size: 12.5px; }
.graph { border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  overflow-x: auto; background: #fff; }
.graph svg { width: 100%; height: auto; }
ol.steps { padding-left: 0; list-style: none; counter-reset: none; }
ol.steps > li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
  margin: 0 0 8px; }
ol.steps .op { font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print {
  header.top { background: #fff; color: var(--ink);
    border-bottom: 2px solid var(--ink); }
  header.top .meta, header.top code { color: var(--ink); }
  details { display: block; } .cards { grid-template-columns: repeat(2, 1fr); }
  tr { break-inside: avoid; }
}
@media (max-width: 900px) { .cards { grid-template-columns: 1fr 1fr; } }
"""
