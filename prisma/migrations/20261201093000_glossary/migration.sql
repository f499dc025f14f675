-- One word per concept: the Incident Commander is "ic" everywhere, and the incident's latest status
-- text is its "status summary" (the opening message's "Summary" is the title). Renamed, not dropped
-- and re-added, so nothing recorded is lost. resolved_by and closed_by were never written: the
-- timeline records who resolved and who closed.
ALTER TABLE "incidents" RENAME COLUMN "commander_id" TO "ic_id";
ALTER TABLE "incidents" RENAME COLUMN "summary" TO "status_summary";
ALTER TABLE "incidents" DROP COLUMN "resolved_by";
ALTER TABLE "incidents" DROP COLUMN "closed_by";
