/**
 * The dashboard page. Assets live in .ts string modules because the build (tsc → dist/) emits
 * only .ts files: embedded, the page is found the same way from src/ under vitest and from dist/
 * in the published package. The script fills every element below from the event stream.
 */
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dray dev</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>dray dev <span id="project" data-testid="project"></span></h1>
  <span id="connection" data-testid="connection" class="connection">connecting…</span>
</header>
<main>
  <section id="errors" data-testid="errors" hidden></section>
  <section>
    <h2>Services</h2>
    <table class="services" data-testid="services">
      <thead><tr><th>Service</th><th>Status</th><th>Image</th><th>Last update</th><th></th></tr></thead>
      <tbody id="services"></tbody>
    </table>
    <p id="no-services" class="empty">No services yet.</p>
    <p id="notice" class="notice" role="status"></p>
  </section>
  <section>
    <h2>Last update</h2>
    <div id="updates" class="updates"></div>
    <div id="legend" class="legend"></div>
  </section>
  <section>
    <h2>Edit → ready</h2>
    <div id="latency" class="latency"></div>
  </section>
  <section>
    <div class="logs-head">
      <h2>Logs</h2>
      <label>Service <select id="log-filter" data-testid="log-filter"><option value="">all</option></select></label>
    </div>
    <div id="logs" data-testid="logs" class="logs" role="log"></div>
  </section>
</main>
</body>
</html>
`;

/** A small mark for the browser tab, so it does not ask for a /favicon.ico that is not there. */
export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect width="16" height="16" rx="3" fill="#2f6fd6"/><path d="M4 11h3M4 8h6M4 5h8" stroke="#fff" stroke-width="2"/>
</svg>
`;
