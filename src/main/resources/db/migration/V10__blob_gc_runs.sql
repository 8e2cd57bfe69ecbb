-- What each blob garbage-collection sweep found and did, so that any instance can show the last one.
create table blob_gc_runs (
    id                  varchar(36) primary key,
    dry_run             boolean     not null,
    grace_seconds       bigint      not null,
    scanned             bigint      not null,
    scanned_bytes       bigint      not null,
    referenced          bigint      not null,
    younger_kept        bigint      not null,
    candidates          bigint      not null,
    candidate_bytes     bigint      not null,
    deleted             bigint      not null,
    bytes_freed         bigint      not null,
    started_at          timestamp with time zone not null,
    duration_ms         bigint      not null
);
create index blob_gc_runs_started on blob_gc_runs (started_at);
