CREATE TABLE "audit_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"checkpoint" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_cosignatures" (
	"origin" text NOT NULL,
	"witness" text NOT NULL,
	"tree_size" bigint NOT NULL,
	"root_hash" text NOT NULL,
	"checkpoint" text NOT NULL,
	"cosignature" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "audit_cosignatures_origin_witness_tree_size_pk" PRIMARY KEY("origin","witness","tree_size")
);
--> statement-breakpoint
CREATE TABLE "audit_leaves" (
	"leaf_index" bigint PRIMARY KEY NOT NULL,
	"event_idx" bigint NOT NULL,
	"leaf_hash" text NOT NULL,
	CONSTRAINT "audit_leaves_event_idx_unique" UNIQUE("event_idx")
);
--> statement-breakpoint
CREATE TABLE "audit_pending" (
	"event_idx" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_tree_nodes" (
	"level" smallint NOT NULL,
	"index" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_tree_nodes_level_index_pk" PRIMARY KEY("level","index")
);
--> statement-breakpoint
CREATE INDEX "audit_cosignatures_witness_idx" ON "audit_cosignatures" USING btree ("witness");