-- CreateIndex
CREATE INDEX "incidents_status_severity_idx" ON "incidents"("status", "severity");
