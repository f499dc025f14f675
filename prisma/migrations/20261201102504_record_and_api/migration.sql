-- AlterTable
ALTER TABLE "incidents" ADD COLUMN     "acknowledged_at" TIMESTAMPTZ(3),
ADD COLUMN     "detected_at" TIMESTAMPTZ(3),
ADD COLUMN     "impact_started_at" TIMESTAMPTZ(3),
ADD COLUMN     "mitigated_at" TIMESTAMPTZ(3),
ADD COLUMN     "punct_kept" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "punct_missed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "punct_pending_at" TIMESTAMPTZ(3),
ADD COLUMN     "timestamp_sources" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "api_requests" (
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_requests_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "api_requests_created_at_idx" ON "api_requests"("created_at");

-- CreateIndex
CREATE INDEX "incidents_team_id_declared_at_id_idx" ON "incidents"("team_id", "declared_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "incidents_team_id_status_declared_at_idx" ON "incidents"("team_id", "status", "declared_at" DESC);

-- Existing incidents get their timestamps from what is recorded: a person declared each of them
-- (acknowledged at the declaration), and the first move to monitoring, by command or in an update,
-- is when it was mitigated. Declared, resolved and closed are already recorded, and detected and impact
-- started default to the declaration.
UPDATE "incidents" SET "acknowledged_at" = "declared_at" WHERE "acknowledged_at" IS NULL;
UPDATE "incidents" i SET "mitigated_at" = m.at
  FROM (
    SELECT incident_id, min(at) AS at FROM (
      SELECT incident_id, "at" FROM "timeline_entries" WHERE kind = 'status_changed' AND data->>'to' = 'monitoring'
      UNION ALL
      SELECT incident_id, posted_at FROM "status_updates" WHERE status = 'monitoring'
    ) firsts GROUP BY incident_id
  ) m
 WHERE m.incident_id = i.id AND i."mitigated_at" IS NULL;
-- and their update punctuality is worked out by the bot at its next start, one job per incident
INSERT INTO "jobs" (kind, incident_id, payload, due_at, dedupe_key)
SELECT 'record.refresh', id, '{}'::jsonb, now(), 'record-refresh:' || id FROM "incidents"
ON CONFLICT (dedupe_key) DO NOTHING;
