CREATE SCHEMA "Shop";

CREATE TABLE "Shop"."all types" (
  "id" numeric(20,0),
  "Region" varchar(20),
  "ti" smallint,
  "tb" smallint,
  "bo" smallint,
  "si" integer,
  "mi" integer,
  "i" integer,
  "iu" bigint,
  "bi" bigint,
  "d" numeric(12,4),
  "dd" numeric(10,0),
  "f" real,
  "f2" double precision,
  "db" double precision,
  "b1" bit(1),
  "b17" bit(17),
  "dt" timestamp(3),
  "ts" timestamp(6) with time zone,
  "da" date,
  "t" interval,
  "y" smallint,
  "c" varchar(3),
  "v" varchar(255),
  "tx" text,
  "e" text,
  "s" text[],
  "bin" bytea,
  "bl" bytea,
  "j" jsonb,
  "g" text,
  PRIMARY KEY ("id", "Region")
) WITH (appendoptimized=false) DISTRIBUTED BY ("id", "Region");

CREATE TABLE "Shop"."log" (
  "at" timestamp,
  "msg" text,
  "f" real,
  "j" jsonb
) WITH (appendoptimized=false) DISTRIBUTED RANDOMLY;

CREATE TEMPORARY TABLE "gw_stage_1" (LIKE "Shop"."orders", "gw_op" char(1), "gw_seq" integer, "gw_n" integer) WITH (appendoptimized=false) ON COMMIT DELETE ROWS DISTRIBUTED BY ("id", "region");

CREATE TEMPORARY TABLE "gw_stage_2" (LIKE "Shop"."log", "gw_op" char(1), "gw_seq" integer, "gw_n" integer) WITH (appendoptimized=false) ON COMMIT DELETE ROWS DISTRIBUTED RANDOMLY;

ALTER TABLE pg_temp."gw_stage_1" ALTER COLUMN "name" DROP NOT NULL, ALTER COLUMN "price" DROP NOT NULL;

COPY pg_temp."gw_stage_1" ("id", "region", "name", "price", "gw_op", "gw_seq", "gw_n") FROM STDIN;

TRUNCATE pg_temp."gw_stage_1";

INSERT INTO pg_temp."gw_stage_1" ("id", "region", "name", "price", "gw_op", "gw_seq") SELECT t."id", t."region", t."name", t."price", 'C', f."gw_seq" FROM "Shop"."orders" AS t JOIN pg_temp."gw_stage_1" AS f ON t."id" = f."id" AND t."region" = f."region" WHERE f."gw_op" = 'F';

DELETE FROM "Shop"."orders" AS t USING pg_temp."gw_stage_1" AS s WHERE t."id" = s."id" AND t."region" = s."region" AND s."gw_op" IN ('D', 'U', 'M');

DELETE FROM "Shop"."log" AS t WHERE (t.gp_segment_id, t.ctid) IN (SELECT x.g, x.r FROM (SELECT t2.gp_segment_id AS g, t2.ctid AS r, s."gw_n" AS n, row_number() OVER (PARTITION BY s."gw_seq") AS k FROM "Shop"."log" AS t2 JOIN pg_temp."gw_stage_2" AS s ON ROW(t2."at", t2."msg")::text = ROW(s."at", s."msg")::text AND t2."at" IS NOT DISTINCT FROM s."at" AND t2."msg" IS NOT DISTINCT FROM s."msg" AND t2."f" IS NOT DISTINCT FROM s."f" AND t2."j"::text IS NOT DISTINCT FROM s."j"::text WHERE s."gw_op" = 'X') AS x WHERE x.k <= x.n);

INSERT INTO "Shop"."orders" ("id", "region", "name", "price") SELECT s."id", s."region", s."name", s."price" FROM pg_temp."gw_stage_1" AS s WHERE s."gw_op" = 'U';

INSERT INTO "Shop"."orders" ("id", "region", "name") SELECT s."id", s."region", s."name" FROM pg_temp."gw_stage_1" AS s WHERE s."gw_op" = 'U' AND s."gw_seq" BETWEEN 10 AND 19;

INSERT INTO "Shop"."orders" ("id", "region", "name", "price") SELECT m."id", m."region", c."name", m."price" FROM pg_temp."gw_stage_1" AS m JOIN pg_temp."gw_stage_1" AS c ON c."gw_seq" = m."gw_seq" AND c."gw_op" = 'C' WHERE m."gw_op" = 'M' AND m."gw_seq" BETWEEN 20 AND 29;

UPDATE "Shop"."orders" AS t SET "name" = s."name", "price" = s."price" FROM pg_temp."gw_stage_1" AS s WHERE t."id" = s."id" AND t."region" = s."region" AND s."gw_op" = 'P' AND s."gw_seq" BETWEEN 30 AND 39;

DROP TABLE pg_temp."gw_stage_1";

DROP TABLE "Shop"."orders";

DROP SCHEMA "Shop" CASCADE;

ALTER TABLE "Shop"."products" RENAME COLUMN "name" TO "product_name";

ALTER TABLE "Shop"."products" RENAME COLUMN "weight_g" TO "weight_grams";

ALTER TABLE "Shop"."products" DROP CONSTRAINT "products_pkey";

ALTER TABLE "Shop"."products" DROP COLUMN "legacy";

ALTER TABLE "Shop"."products" ADD COLUMN "sku" varchar(8);

ALTER TABLE "Shop"."products" ALTER COLUMN "product_name" TYPE varchar(100) USING "product_name"::varchar(100);

ALTER TABLE "Shop"."products" ALTER COLUMN "price" TYPE numeric(12,4) USING "price"::numeric(12,4);

ALTER TABLE "Shop"."products" ALTER COLUMN "active" TYPE varchar(5) USING "active"::varchar(5);

ALTER TABLE "Shop"."products" SET DISTRIBUTED BY ("id", "sku");

ALTER TABLE "Shop"."products" ADD PRIMARY KEY ("id", "sku");

ALTER TABLE "Shop"."products" RENAME TO "products_v2";

ALTER TABLE "Shop"."products_v2" SET SCHEMA "Other";

ALTER TABLE "Shop"."products" DROP CONSTRAINT "products_pkey";

ALTER TABLE "Shop"."products" SET DISTRIBUTED RANDOMLY;

ALTER TABLE "Shop"."products" DROP CONSTRAINT "products_pkey";

ALTER TABLE "Shop"."products" SET DISTRIBUTED RANDOMLY;

ALTER TABLE "Shop"."products" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;

ALTER TABLE "Shop"."products" SET DISTRIBUTED BY ("id");

ALTER TABLE "Shop"."products" ADD PRIMARY KEY ("id");

CREATE TABLE "greenwell"."checkpoint" (
  "pipeline" text NOT NULL,
  "stream" text NOT NULL,
  "offset" bigint NOT NULL,
  "position" text NOT NULL,
  "updated_at" timestamp with time zone NOT NULL,
  PRIMARY KEY ("pipeline", "stream")
) WITH (appendoptimized=false) DISTRIBUTED BY ("pipeline", "stream");

SELECT "stream", "offset", "position" FROM "greenwell"."checkpoint" WHERE "pipeline" = ?;

INSERT INTO "greenwell"."checkpoint" ("pipeline", "stream", "offset", "position", "updated_at") VALUES (?, ?, ?, ?, ?);

UPDATE "greenwell"."checkpoint" SET "offset" = ?, "position" = ?, "updated_at" = ? WHERE "pipeline" = ? AND "stream" = ? AND "offset" = ? AND "position" = ?;

CREATE TABLE "greenwell"."dead_letter" (
  "pipeline" text NOT NULL,
  "stream" text,
  "offset" bigint,
  "raw_record" bytea,
  "table_name" text,
  "key" text,
  "error" text NOT NULL,
  "sqlstate" text,
  "failed_at" timestamp with time zone NOT NULL
) WITH (appendoptimized=false) DISTRIBUTED RANDOMLY;

INSERT INTO "greenwell"."dead_letter" ("pipeline", "stream", "offset", "raw_record", "table_name", "key", "error", "sqlstate", "failed_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

LOCK TABLE "greenwell"."dead_letter" IN SHARE ROW EXCLUSIVE MODE;

SELECT gp_segment_id, ctid, "pipeline", "stream", "offset", "raw_record" FROM "greenwell"."dead_letter" WHERE "pipeline" = ? ORDER BY "pipeline", "stream", "offset", "failed_at";

SELECT gp_segment_id, ctid, "pipeline", "stream", "offset", "raw_record" FROM "greenwell"."dead_letter" ORDER BY "pipeline", "stream", "offset", "failed_at";

DELETE FROM "greenwell"."dead_letter" WHERE gp_segment_id = ? AND ctid = CAST(? AS tid);

UPDATE "greenwell"."dead_letter" SET "error" = ?, "sqlstate" = ?, "failed_at" = ? WHERE gp_segment_id = ? AND ctid = CAST(? AS tid);

LOCK TABLE "Shop"."orders", "Shop"."log" IN SHARE ROW EXCLUSIVE MODE;

SELECT pg_catalog.pg_try_advisory_lock(?);

SELECT pg_catalog.pg_advisory_unlock_all();

SELECT l.pid, a.application_name, pg_catalog.host(a.client_addr) FROM pg_catalog.pg_locks AS l LEFT JOIN pg_catalog.pg_stat_activity AS a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database()) AND l.classid = CAST(CAST(? AS bigint) AS oid) AND l.objid = CAST(CAST(? AS bigint) AS oid);

SET tcp_keepalives_idle = 30;

SET tcp_keepalives_interval = 5;

SET tcp_keepalives_count = 3;

SET synchronous_commit = off;

SET LOCAL synchronous_commit = on;

SELECT pg_catalog.txid_current();

RESET synchronous_commit;

RESET tcp_keepalives_idle;

RESET tcp_keepalives_interval;

RESET tcp_keepalives_count;

SELECT n.nspname, c.relname, f.live, f.dead, f.changes,
  s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL, greatest(s.last_analyze, s.last_autoanalyze)
FROM (SELECT u.oid, sum(u.live) AS live, sum(u.dead) AS dead, sum(u.changes) AS changes FROM (
  SELECT r.oid, pg_catalog.pg_stat_get_live_tuples(r.oid) AS live, pg_catalog.pg_stat_get_dead_tuples(r.oid) AS dead,
    pg_catalog.pg_stat_get_tuples_inserted(r.oid) + pg_catalog.pg_stat_get_tuples_updated(r.oid) + pg_catalog.pg_stat_get_tuples_deleted(r.oid) AS changes
  FROM gp_dist_random('pg_class') r WHERE r.relkind = 'r'
  UNION ALL
  SELECT r.oid, pg_catalog.pg_stat_get_live_tuples(r.oid) AS live, pg_catalog.pg_stat_get_dead_tuples(r.oid) AS dead,
    pg_catalog.pg_stat_get_tuples_inserted(r.oid) + pg_catalog.pg_stat_get_tuples_updated(r.oid) + pg_catalog.pg_stat_get_tuples_deleted(r.oid) AS changes
  FROM pg_catalog.pg_class r WHERE r.relkind = 'r'
    AND r.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')) u
  GROUP BY u.oid) f
JOIN pg_catalog.pg_class c ON c.oid = f.oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
WHERE n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT IN ('information_schema', 'gp_toolkit', 'pg_aoseg', 'pg_bitmapindex');

CREATE TABLE "greenwell"."maintenance" (
  "schema_name" text NOT NULL,
  "table_name" text NOT NULL,
  "changes_at_analyze" bigint NOT NULL,
  "analyzed_at" timestamp with time zone NOT NULL,
  PRIMARY KEY ("schema_name", "table_name")
) WITH (appendoptimized=false) DISTRIBUTED BY ("schema_name", "table_name");

SELECT "schema_name", "table_name", "changes_at_analyze", "analyzed_at" FROM "greenwell"."maintenance";

DELETE FROM "greenwell"."maintenance" WHERE "schema_name" = ? AND "table_name" = ?;

INSERT INTO "greenwell"."maintenance" ("schema_name", "table_name", "changes_at_analyze", "analyzed_at") VALUES (?, ?, ?, now());

SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = 'maintenance';

SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?;

SET lock_timeout = 1000;

RESET lock_timeout;

VACUUM "Shop"."all types";

ANALYZE "Shop"."all types";

VACUUM ANALYZE "Shop"."all types";
