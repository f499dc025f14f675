-- Wake-ups: the transaction that makes a job claimable (a new job, a job retried or postponed, a
-- lease given back) notifies the channel `warroom_jobs` at its commit, and every worker that listens
-- looks for due work at once instead of at its next poll. The payload is empty, so PostgreSQL folds
-- the notifications of one transaction into one. Claims (locked_by set) and completions do not notify.

-- CreateFunction
CREATE FUNCTION "warroom_notify_jobs"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('warroom_jobs', '');
  RETURN NULL;
END;
$$;

-- CreateTrigger
CREATE TRIGGER "jobs_notify_insert" AFTER INSERT ON "jobs"
  FOR EACH ROW WHEN (NEW."status" = 'pending')
  EXECUTE FUNCTION "warroom_notify_jobs"();

-- CreateTrigger
CREATE TRIGGER "jobs_notify_update" AFTER UPDATE ON "jobs"
  FOR EACH ROW WHEN (NEW."status" = 'pending' AND NEW."locked_by" IS NULL
    AND (OLD."locked_by" IS NOT NULL OR OLD."status" <> 'pending' OR OLD."due_at" IS DISTINCT FROM NEW."due_at"))
  EXECUTE FUNCTION "warroom_notify_jobs"();
