-- CreateTable
CREATE TABLE "status_page_incidents" (
    "id" TEXT NOT NULL,
    "incident_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "component_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "status_page_incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_page_updates" (
    "id" TEXT NOT NULL,
    "public_incident_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "component_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_key" TEXT NOT NULL,

    CONSTRAINT "status_page_updates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "status_page_incidents_incident_id_key" ON "status_page_incidents"("incident_id");

-- CreateIndex
CREATE INDEX "status_page_incidents_created_at_idx" ON "status_page_incidents"("created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "status_page_updates_source_key_key" ON "status_page_updates"("source_key");

-- CreateIndex
CREATE INDEX "status_page_updates_public_incident_id_created_at_idx" ON "status_page_updates"("public_incident_id", "created_at");

-- AddForeignKey
ALTER TABLE "status_page_incidents" ADD CONSTRAINT "status_page_incidents_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_page_updates" ADD CONSTRAINT "status_page_updates_public_incident_id_fkey" FOREIGN KEY ("public_incident_id") REFERENCES "status_page_incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
