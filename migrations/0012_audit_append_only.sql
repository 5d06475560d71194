-- The audit log is append-only in the database itself, not only by convention: any UPDATE, DELETE
-- or TRUNCATE of its tables is refused, whoever sends it (a bug, a stray script, a hand-typed
-- query). Its owner can still switch triggers off (as a malicious operator could), which is what
-- the Merkle tree, the checkpoints and the peers' co-signatures are for: they show any change.
CREATE FUNCTION bridge_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION bridge_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_leaves_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_leaves FOR EACH STATEMENT EXECUTE FUNCTION bridge_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_tree_nodes FOR EACH STATEMENT EXECUTE FUNCTION bridge_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION bridge_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_cosignatures_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_cosignatures FOR EACH STATEMENT EXECUTE FUNCTION bridge_audit_append_only();
