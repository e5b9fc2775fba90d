/** The local web dashboard of `dray dev`: one page that renders a `DevSession` live. */
export { type Dashboard, type DashboardOptions, startDashboard } from "./server.js";
