-- Nodes keep the peers and API clients they read on every message and request in memory while
-- they LISTEN on bridge_outbox. Any change to either table, by any replica, the CLI or by hand,
-- tells every listener on commit to drop what it holds (services/node/src/db/row-cache.ts).
CREATE FUNCTION bridge_notify_row_cache() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bridge_outbox', 'cache:' || TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER peers_notify_row_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON peers FOR EACH STATEMENT EXECUTE FUNCTION bridge_notify_row_cache();
--> statement-breakpoint
CREATE TRIGGER api_clients_notify_row_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_clients FOR EACH STATEMENT EXECUTE FUNCTION bridge_notify_row_cache();
