-- AlterTable
ALTER TABLE "incidents" ADD COLUMN     "checklist_ts" TEXT,
ADD COLUMN     "is_drill" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "checklist_items" (
    "incident_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "auto_key" TEXT,
    "auto_fired" BOOLEAN NOT NULL DEFAULT false,
    "done_at" TIMESTAMPTZ(3),
    "done_by" TEXT,

    CONSTRAINT "checklist_items_pkey" PRIMARY KEY ("incident_id","position")
);

-- CreateIndex
CREATE INDEX "checklist_items_incident_id_auto_key_idx" ON "checklist_items"("incident_id", "auto_key");

-- AddForeignKey
ALTER TABLE "checklist_items" ADD CONSTRAINT "checklist_items_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
