-- AlterTable
ALTER TABLE "incidents" ADD COLUMN     "severity_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "snoozed_until" TIMESTAMPTZ(3);
