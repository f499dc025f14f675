-- AlterTable
ALTER TABLE "action_items" ADD COLUMN     "export_asked_at" TIMESTAMPTZ(3),
ADD COLUMN     "tracker_id" TEXT,
ADD COLUMN     "tracker_key" TEXT,
ADD COLUMN     "tracker_kind" TEXT,
ADD COLUMN     "tracker_url" TEXT;

-- AlterTable
ALTER TABLE "postmortems" ADD COLUMN     "repo_path" TEXT,
ADD COLUMN     "repo_url" TEXT;

-- CreateIndex
CREATE INDEX "action_items_tracker_kind_tracker_id_idx" ON "action_items"("tracker_kind", "tracker_id");
