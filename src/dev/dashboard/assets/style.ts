/** The dashboard's style sheet; embedded for the reason given in page.ts. Follows the system's light or dark. */
export const pageStyle = `
:root {
  color-scheme: light dark;
  --bg: #fafafa; --fg: #1d1f21; --muted: #6b7075; --line: #d9dcdf; --panel: #ffffff;
  --ok: #1f8a4c; --warn: #b26b00; --bad: #c62828; --info: #2a62c9;
  --live: #2a62c9; --rebuild: #a04ad0; --on-badge: #ffffff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17191c; --fg: #e3e5e8; --muted: #979ca3; --line: #33373c; --panel: #1f2226;
    --ok: #4cc27f; --warn: #e0a43a; --bad: #f06a6a; --info: #6f9cf0;
    --live: #6f9cf0; --rebuild: #c68af0; --on-badge: #111316;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: baseline; justify-content: space-between; padding: 12px 20px;
  border-bottom: 1px solid var(--line); }
h1 { margin: 0; font-size: 18px; font-weight: 600; }
h1 span { color: var(--muted); font-weight: 400; margin-left: 6px; }
h2 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
main { max-width: 1100px; margin: 0 auto; padding: 16px 20px 40px; display: grid; gap: 20px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
code, pre, .logs, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.empty, .notice { color: var(--muted); margin: 6px 0 0; }
.notice:empty { display: none; }

.connection { font-size: 12px; color: var(--muted); }
.connection.live { color: var(--ok); }
.connection.lost { color: var(--warn); }

#errors { border-color: var(--bad); border-width: 2px; }
.error + .error { margin-top: 12px; }
.error h3 { margin: 0 0 6px; font-size: 14px; color: var(--bad); }
.error pre { margin: 0; padding: 10px; overflow: auto; max-height: 320px; white-space: pre-wrap;
  background: color-mix(in srgb, var(--bad) 8%, var(--panel)); border-radius: 4px; }

table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 500; color: var(--muted); font-size: 12px; }
tr:last-child td { border-bottom: 0; }
td:last-child { text-align: right; }
button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px;
  background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--info); }
button:disabled { opacity: .6; cursor: default; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 500;
  color: var(--on-badge); background: var(--muted); }
.badge.ready { background: var(--ok); }
.badge.failed { background: var(--bad); }
.badge.building, .badge.deploying, .badge.updating { background: var(--info); }
.badge.live { background: var(--live); }
.badge.rebuild { background: var(--rebuild); }

.update { display: grid; grid-template-columns: 130px 1fr; gap: 4px 12px; align-items: center; padding: 6px 0; }
.update + .update { border-top: 1px solid var(--line); }
.update .meta { grid-column: 2; color: var(--muted); font-size: 12px; }
.bar { display: flex; height: 24px; border-radius: 4px; overflow: hidden; background: var(--line); }
.seg { flex: 1 1 0; min-width: max-content; padding: 0 6px; color: #fff; font-size: 11.5px; line-height: 24px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.seg + .seg { border-left: 1px solid var(--panel); }
.step-detect { background: #6b7a8f; } .step-compile { background: #2f6fd6; } .step-copy { background: #14928a; }
.step-restart { background: #c27c0e; } .step-ready { background: #2e9b55; } .step-build { background: #8b48c4; }
.step-deploy { background: #c4489a; } .step-other { background: #7d7d7d; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }

.latency svg { width: 100%; height: auto; display: block; }
.latency .grid { stroke: var(--line); }
.latency .axis { fill: var(--muted); font-size: 11px; }
.latency .trail { fill: none; stroke: var(--line); stroke-width: 1.5; }
.latency .pt.live { fill: var(--live); stroke: var(--live); }
.latency .pt.rebuild { fill: var(--rebuild); stroke: var(--rebuild); }
.latency .pt.failed { fill: var(--panel); stroke-width: 2; }

.logs-head { display: flex; justify-content: space-between; align-items: baseline; }
.logs-head label { font-size: 12px; color: var(--muted); }
.logs { height: 280px; overflow: auto; padding: 6px 8px; background: var(--bg); border-radius: 4px;
  border: 1px solid var(--line); }
.line { white-space: pre-wrap; word-break: break-all; }
.line .time, .line .svc { color: var(--muted); margin-right: 8px; }
.line.stderr .text { color: var(--bad); }
`;
