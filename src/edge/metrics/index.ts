// GET /metrics: the Prometheus text exposition of the bot's metrics. With METRICS_TOKEN set it asks
// for `Authorization: Bearer <token>` (compared in constant time; 401 otherwise); without it, it is
// open, like most exporters, and carries numbers only. Any other method is 405.

import type http from "node:http";
import type { Metrics } from "../../metrics.ts";
import type { Door } from "../http-server.ts";
import { authorized, HttpError, sendError } from "../http.ts";

export function metricsDoor(metrics: Metrics, token: string | undefined): Door {
  return {
    prefix: "/metrics",
    async handle(req: http.IncomingMessage, res: http.ServerResponse) {
      req.resume();
      if (req.method !== "GET" && req.method !== "HEAD") {
        sendError(res, new HttpError(405, "method_not_allowed", "GET /metrics only."));
        return;
      }
      if (token !== undefined && !authorized(req, token)) {
        res.setHeader("www-authenticate", 'Bearer realm="warroom-metrics"');
        sendError(res, new HttpError(401, "unauthorized", "unauthorized"));
        return;
      }
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text);
    },
  };
}
