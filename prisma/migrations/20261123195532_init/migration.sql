-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('investigating', 'identified', 'monitoring', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('pending', 'done', 'cancelled', 'dead');

-- CreateEnum
CREATE TYPE "ActionItemStatus" AS ENUM ('open', 'done');

-- CreateEnum
CREATE TYPE "PostmortemStatus" AS ENUM ('draft', 'done');

-- CreateTable
CREATE TABLE "workspace_counters" (
    "team_id" TEXT NOT NULL,
    "last_number" INTEGER NOT NULL,

    CONSTRAINT "workspace_counters_pkey" PRIMARY KEY ("team_id")
);

-- CreateTable
CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "team_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" "IncidentStatus" NOT NULL DEFAULT 'investigating',
    "is_private" BOOLEAN NOT NULL DEFAULT false,
    "impact" TEXT,
    "detection" TEXT,
    "declared_by" TEXT NOT NULL,
    "declared_at" TIMESTAMPTZ(3) NOT NULL,
    "declare_key" TEXT NOT NULL,
    "origin_channel_id" TEXT,
    "response_url" TEXT,
    "commander_id" TEXT,
    "tech_lead_id" TEXT,
    "comms_lead_id" TEXT,
    "scribe_id" TEXT,
    "channel_id" TEXT,
    "channel_name" TEXT,
    "opening_ts" TEXT,
    "summary" TEXT,
    "last_update_at" TIMESTAMPTZ(3),
    "next_update_due_at" TIMESTAMPTZ(3),
    "cadence_epoch" INTEGER NOT NULL DEFAULT 0,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,
    "root_cause" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_assignments" (
    "id" SERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "assigned_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "role_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "responders" (
    "incident_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "added_by" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "responders_pkey" PRIMARY KEY ("incident_id","user_id")
);

-- CreateTable
CREATE TABLE "timeline_entries" (
    "id" SERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "actor_id" TEXT,
    "text" TEXT NOT NULL,
    "data" JSONB,
    "source_key" TEXT,
    "permalink" TEXT,

    CONSTRAINT "timeline_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_updates" (
    "id" SERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "status" "IncidentStatus" NOT NULL,
    "text" TEXT NOT NULL,
    "author_id" TEXT NOT NULL,
    "posted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "status_updates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "incident_id" UUID,
    "payload" JSONB NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slack_effects" (
    "key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "result" JSONB,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "slack_effects_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "processed_requests" (
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_requests_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "action_items" (
    "id" SERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "owner_id" TEXT,
    "due_date" DATE,
    "priority" TEXT NOT NULL DEFAULT 'P2',
    "status" "ActionItemStatus" NOT NULL DEFAULT 'open',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "done_at" TIMESTAMPTZ(3),
    "done_by" TEXT,

    CONSTRAINT "action_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postmortems" (
    "incident_id" UUID NOT NULL,
    "markdown" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "rendered_at" TIMESTAMPTZ(3) NOT NULL,
    "canvas_id" TEXT,
    "file_id" TEXT,
    "permalink" TEXT,
    "published_at" TIMESTAMPTZ(3),
    "status" "PostmortemStatus" NOT NULL DEFAULT 'draft',
    "last_error" TEXT,
    "done_at" TIMESTAMPTZ(3),
    "done_by" TEXT,

    CONSTRAINT "postmortems_pkey" PRIMARY KEY ("incident_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "incidents_declare_key_key" ON "incidents"("declare_key");

-- CreateIndex
CREATE UNIQUE INDEX "incidents_channel_id_key" ON "incidents"("channel_id");

-- CreateIndex
CREATE INDEX "incidents_team_id_status_idx" ON "incidents"("team_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "incidents_team_id_number_key" ON "incidents"("team_id", "number");

-- CreateIndex
CREATE INDEX "role_assignments_incident_id_role_idx" ON "role_assignments"("incident_id", "role");

-- CreateIndex
CREATE UNIQUE INDEX "timeline_entries_source_key_key" ON "timeline_entries"("source_key");

-- CreateIndex
CREATE INDEX "timeline_entries_incident_id_at_idx" ON "timeline_entries"("incident_id", "at");

-- CreateIndex
CREATE INDEX "status_updates_incident_id_posted_at_idx" ON "status_updates"("incident_id", "posted_at");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_dedupe_key_key" ON "jobs"("dedupe_key");

-- CreateIndex
CREATE INDEX "jobs_status_due_at_idx" ON "jobs"("status", "due_at");

-- CreateIndex
CREATE INDEX "jobs_incident_id_status_idx" ON "jobs"("incident_id", "status");

-- CreateIndex
CREATE INDEX "processed_requests_received_at_idx" ON "processed_requests"("received_at");

-- CreateIndex
CREATE INDEX "action_items_status_due_date_idx" ON "action_items"("status", "due_date");

-- CreateIndex
CREATE UNIQUE INDEX "action_items_incident_id_number_key" ON "action_items"("incident_id", "number");

-- AddForeignKey
ALTER TABLE "role_assignments" ADD CONSTRAINT "role_assignments_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "responders" ADD CONSTRAINT "responders_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timeline_entries" ADD CONSTRAINT "timeline_entries_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_updates" ADD CONSTRAINT "status_updates_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_items" ADD CONSTRAINT "action_items_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postmortems" ADD CONSTRAINT "postmortems_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
