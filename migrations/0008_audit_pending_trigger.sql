-- Every appended audit event is queued for the sequencer by the inserting statement itself, so
-- appendAudit stays one INSERT and one round trip.
CREATE FUNCTION audit_events_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending (event_idx) VALUES (NEW.idx);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_enqueue AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_enqueue();
--> statement-breakpoint
-- Events written before the log was a Merkle tree are sequenced first, in id order.
INSERT INTO audit_pending (event_idx) SELECT idx FROM audit_events;
