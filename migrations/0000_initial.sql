CREATE TABLE "api_clients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"idx" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_idx_seq" INCREMENT BY 1 MINVALUE 0 MAXVALUE 9223372036854775807 START WITH 0 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"peer_node_id" text,
	"referral_id" uuid,
	"message_id" uuid,
	"digest" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "inbound_messages" (
	"issuer" text NOT NULL,
	"id" uuid NOT NULL,
	"referral_id" uuid,
	"type" text NOT NULL,
	"seq" integer NOT NULL,
	"content_digest" text NOT NULL,
	"received_digest" text NOT NULL,
	"receipt" text NOT NULL,
	"log_index" bigint NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inbound_messages_issuer_id_pk" PRIMARY KEY("issuer","id")
);
--> statement-breakpoint
CREATE TABLE "peers" (
	"node_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"jurisdiction" text NOT NULL,
	"base_url" text NOT NULL,
	"jwks_url" text NOT NULL,
	"messages_url" text NOT NULL,
	"jwks" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"direction" text NOT NULL,
	"peer_node_id" text NOT NULL,
	"status" text NOT NULL,
	"services" text[] NOT NULL,
	"urgency" text NOT NULL,
	"person_category" text NOT NULL,
	"phase" text NOT NULL,
	"risk" jsonb NOT NULL,
	"person" jsonb NOT NULL,
	"consent" jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referral_status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"referral_id" uuid NOT NULL,
	"status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"by" text NOT NULL,
	"reason" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "outbox_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"peer_node_id" text NOT NULL,
	"referral_id" uuid,
	"type" text NOT NULL,
	"seq" integer NOT NULL,
	"prev" text,
	"body" jsonb NOT NULL,
	"content_digest" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"sent_digests" text[] DEFAULT '{}' NOT NULL,
	"receipt" text,
	"receipt_log_index" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_issuer_peers_node_id_fk" FOREIGN KEY ("issuer") REFERENCES "public"."peers"("node_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_peer_node_id_peers_node_id_fk" FOREIGN KEY ("peer_node_id") REFERENCES "public"."peers"("node_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_status_history" ADD CONSTRAINT "referral_status_history_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_peer_node_id_peers_node_id_fk" FOREIGN KEY ("peer_node_id") REFERENCES "public"."peers"("node_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_referral_idx" ON "audit_events" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "inbound_messages_referral_idx" ON "inbound_messages" USING btree ("referral_id","seq");--> statement-breakpoint
CREATE INDEX "referrals_peer_idx" ON "referrals" USING btree ("peer_node_id");--> statement-breakpoint
CREATE INDEX "referrals_list_idx" ON "referrals" USING btree ("direction","created_at","id");--> statement-breakpoint
CREATE INDEX "referral_status_history_referral_idx" ON "referral_status_history" USING btree ("referral_id","id");--> statement-breakpoint
CREATE INDEX "outbox_messages_due_idx" ON "outbox_messages" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_messages_peer_idx" ON "outbox_messages" USING btree ("peer_node_id");--> statement-breakpoint
CREATE INDEX "outbox_messages_referral_idx" ON "outbox_messages" USING btree ("referral_id","seq");