-- CreateIndex
CREATE INDEX "action_items_owner_id_status_idx" ON "action_items"("owner_id", "status");
