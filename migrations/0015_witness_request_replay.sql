CREATE TABLE "witness_requests" (
	"issuer" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "witness_requests_issuer_jti_pk" PRIMARY KEY("issuer","jti")
);
--> statement-breakpoint
CREATE INDEX "witness_requests_expires_idx" ON "witness_requests" USING btree ("expires_at");