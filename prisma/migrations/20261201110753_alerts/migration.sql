-- CreateTable
CREATE TABLE "alert_groups" (
    "id" UUID NOT NULL,
    "team_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "group_key" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "incident_id" UUID,
    "title" TEXT NOT NULL,
    "alert_name" TEXT NOT NULL,
    "severity_value" TEXT,
    "severity" TEXT,
    "group_labels" JSONB NOT NULL DEFAULT '{}',
    "common_labels" JSONB NOT NULL DEFAULT '{}',
    "common_annotations" JSONB NOT NULL DEFAULT '{}',
    "external_url" TEXT,
    "firing" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "cleared_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decline_reason" TEXT,
    "channel_id" TEXT,
    "message_ts" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "rendered_version" INTEGER NOT NULL DEFAULT 0,
    "last_edit_at" TIMESTAMPTZ(3),
    "edits" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "group_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "generator_url" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("group_id","fingerprint")
);

-- CreateIndex
CREATE INDEX "alert_groups_team_id_source_group_key_created_at_idx" ON "alert_groups"("team_id", "source", "group_key", "created_at" DESC);

-- CreateIndex
CREATE INDEX "alert_groups_incident_id_idx" ON "alert_groups"("incident_id");

-- CreateIndex
CREATE INDEX "alert_groups_status_created_at_idx" ON "alert_groups"("status", "created_at");

-- AddForeignKey
ALTER TABLE "alert_groups" ADD CONSTRAINT "alert_groups_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "alert_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;
