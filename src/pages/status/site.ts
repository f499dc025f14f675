// The status page's documents, kept rendered: built at start, again as soon as this process
// publishes (changed()), when another process has (a look every few seconds at the updates' count
// and newest time), and once a minute because time moves the bars and the shares. A request is
// answered from memory; an incident's page and the history's pages are rendered on first asking
// and kept until the next change.

import { createHash } from "node:crypto";
import type { Clock } from "../../clock.ts";
import type { StatusPageSettings } from "../../config/sections/status-page.ts";
import { windowStart } from "../../domain/public-history.ts";
import type { Logger } from "../../log.ts";
import type { Db } from "../../store/database.ts";
import { pageGeneration, pageIncidents } from "../../store/status-page.ts";
import { historyPages, renderFeed, renderHistory, renderHome, renderIncident, renderJson } from "./render.ts";
import { buildView, type PageIncidentData, type StatusView } from "./view.ts";

export interface PageDocument {
  readonly body: Buffer;
  readonly etag: string;
  readonly type: string;
}

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";
const ATOM = "application/atom+xml; charset=utf-8";

/** How often another process's publication is looked for, and how often time alone re-renders. */
export const LOOK_EVERY_MS = 5_000;
export const RERENDER_EVERY_MS = 60_000;

function doc(body: string, type: string): PageDocument {
  const bytes = Buffer.from(body, "utf8");
  return { body: bytes, type, etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"` };
}

/** The documents rendered at each change (the rest are rendered on first asking). */
export type DocName = "home" | "feed" | "json:status" | "json:summary" | "json:components" | "json:incidents" | "json:unresolved" | "json:scheduled";

interface Rendered {
  readonly view: StatusView;
  readonly generation: string;
  readonly at: number;
  readonly docs: ReadonlyMap<DocName, PageDocument>;
  readonly lazy: Map<string, Promise<PageDocument | undefined>>;
}

export class StatusSite {
  private rendered: Rendered | undefined;
  private building: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private looking = false;

  constructor(
    private readonly db: Db,
    readonly settings: StatusPageSettings,
    private readonly zone: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Starts looking for changes; the first rendering runs behind the start (a request waits for it). */
  start(): void {
    this.changed();
    this.timer = setInterval(() => void this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Something was published here: render again now (coalesced with a render under way). */
  changed(): void {
    void this.rebuild().catch((err: unknown) => this.log.warn({ err }, "could not render the status page again; it shows the last rendering"));
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const generation = await pageGeneration(this.db);
      const r = this.rendered;
      if (!r || r.generation !== generation || this.clock.now().getTime() - r.at >= RERENDER_EVERY_MS) await this.rebuild(generation);
    } catch (err) {
      this.log.warn({ err }, "could not look for status page changes; it shows the last rendering");
    } finally {
      this.looking = false;
    }
  }

  /**
   * Renders everything once; a call while one runs makes it run once more after. `known`: the change
   * marker just read (not read again for the first rendering).
   */
  rebuild(known?: string): Promise<void> {
    if (this.building) {
      this.again = true;
      return this.building;
    }
    this.building = (async () => {
      try {
        let generation = known;
        do {
          this.again = false;
          await this.render(generation);
          generation = undefined;
        } while (this.again);
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }

  private async render(known: string | undefined): Promise<void> {
    const now = this.clock.now();
    // read before the incidents: a publication in between renders once more at the next look
    const generation = known ?? (await pageGeneration(this.db));
    const rows = await pageIncidents(this.db, windowStart({ days: this.settings.historyDays, zone: this.zone, now }));
    const view = buildView(this.settings, this.zone, rows, now);
    const json = renderJson(view);
    const docs = new Map<DocName, PageDocument>([
      ["home", doc(await renderHome(view), HTML)],
      ["feed", doc(renderFeed(view), ATOM)],
      ["json:status", doc(json.status, JSON_TYPE)],
      ["json:summary", doc(json.summary, JSON_TYPE)],
      ["json:components", doc(json.components, JSON_TYPE)],
      ["json:incidents", doc(json.incidents, JSON_TYPE)],
      ["json:unresolved", doc(json.unresolved, JSON_TYPE)],
      ["json:scheduled", doc(json.scheduledMaintenances, JSON_TYPE)],
    ]);
    this.rendered = { view, generation, at: now.getTime(), docs, lazy: new Map() };
  }

  private async current(): Promise<Rendered> {
    if (!this.rendered) await this.rebuild();
    return this.rendered as Rendered;
  }

  /** A document rendered at the last change. */
  async get(name: DocName): Promise<PageDocument> {
    return (await this.current()).docs.get(name) as PageDocument;
  }

  /** The history's pages, and one of them; undefined past the last. */
  async history(number: number): Promise<{ pages: number; doc?: PageDocument }> {
    const r = await this.current();
    const pages = historyPages(r.view);
    if (number > pages) return { pages };
    const d = await this.lazily(r, `history:${number}`, async () => doc(await renderHistory(r.view, number), HTML));
    return d ? { pages, doc: d } : { pages };
  }

  /** One public incident's page (one older than the history is read when asked for). */
  async incident(id: string): Promise<PageDocument | undefined> {
    const r = await this.current();
    return this.lazily(r, `incident:${id}`, async () => {
      let incident = r.view.incidents.find((i) => i.id === id);
      if (!incident) {
        const row = await this.db.statusPageIncident.findUnique({ where: { id }, include: { updates: { orderBy: { createdAt: "asc" } } } });
        if (!row) return undefined;
        incident = buildView({ ...this.settings, historyDays: 365 }, this.zone, [row satisfies PageIncidentData], new Date(Math.max(r.view.now.getTime(), row.updatedAt.getTime()))).incidents.find((i) => i.id === id);
        if (!incident) return undefined;
      }
      return doc(await renderIncident(r.view, incident), HTML);
    });
  }

  private lazily(r: Rendered, key: string, make: () => Promise<PageDocument | undefined>): Promise<PageDocument | undefined> {
    let p = r.lazy.get(key);
    if (!p) {
      p = make();
      // a failure is not kept: the next request tries again
      p.catch(() => r.lazy.delete(key));
      // at most a few thousand kept between changes (every incident's page and the history's)
      if (r.lazy.size < 5_000) r.lazy.set(key, p);
    }
    return p;
  }
}
