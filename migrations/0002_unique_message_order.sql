DROP INDEX "inbound_messages_referral_idx";--> statement-breakpoint
DROP INDEX "outbox_messages_referral_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_referral_seq_idx" ON "inbound_messages" USING btree ("referral_id","issuer","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_messages_referral_seq_idx" ON "outbox_messages" USING btree ("referral_id","seq");