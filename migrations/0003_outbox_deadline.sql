-- Backfilled from the default deadline (7 days after creation) before it becomes required.
ALTER TABLE "outbox_messages" ADD COLUMN "deadline_at" timestamp with time zone;--> statement-breakpoint
UPDATE "outbox_messages" SET "deadline_at" = "created_at" + interval '7 days';--> statement-breakpoint
ALTER TABLE "outbox_messages" ALTER COLUMN "deadline_at" SET NOT NULL;
