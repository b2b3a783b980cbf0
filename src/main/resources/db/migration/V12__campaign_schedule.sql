-- Scheduled campaigns and quiet hours (#15).
-- campaigns.send_at: nothing of the campaign is claimed before it (by the runtime's clock); null = at once.
-- campaigns.quiet_hours / time_zone: the campaign's own window (HH:mm-HH:mm) and the time zone of its
-- recipients that give none; the account's quiet hours (wati.accounts.<name>.quiet-hours) apply as well.
ALTER TABLE campaigns ADD COLUMN send_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE campaigns ADD COLUMN quiet_hours VARCHAR(32);
ALTER TABLE campaigns ADD COLUMN time_zone VARCHAR(64);

-- A recipient's own time zone (IANA name or offset), and while it waits out quiet hours its status is
-- 'deferred' (shown as pending) with deferred_until = the window's end: it is never dropped.
ALTER TABLE campaign_recipients ADD COLUMN time_zone VARCHAR(64);
ALTER TABLE campaign_recipients ADD COLUMN deferred_until TIMESTAMP WITH TIME ZONE;

-- A pending batch is claimed only once due_at has come: the campaign's send_at at first, then (given
-- back with recipients deferred) the earliest end of their quiet hours. Workers never spin on a batch
-- that is not due: the claim filters on (state, due_at).
ALTER TABLE campaign_batches ADD COLUMN due_at TIMESTAMP WITH TIME ZONE;
UPDATE campaign_batches SET due_at = (SELECT c.created_at FROM campaigns c WHERE c.id = campaign_batches.campaign_id);
ALTER TABLE campaign_batches ALTER COLUMN due_at SET NOT NULL;
CREATE INDEX campaign_batches_due ON campaign_batches (state, due_at);
