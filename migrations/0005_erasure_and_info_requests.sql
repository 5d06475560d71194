CREATE TABLE "info_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"referral_id" uuid NOT NULL,
	"asked_by" text NOT NULL,
	"asked_at" timestamp with time zone NOT NULL,
	"question" text,
	"answered_by" text,
	"answered_at" timestamp with time zone,
	"answer" text
);
--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "consent_revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "erasure_reason" text;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "erasure_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "info_requests" ADD CONSTRAINT "info_requests_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "info_requests_referral_idx" ON "info_requests" USING btree ("referral_id","asked_at");