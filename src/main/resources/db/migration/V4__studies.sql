-- A study is a job like a training job; its finished units (trained generative models, each
-- arm x seed classifier result) are kept one row each so that a restarted study skips them.
create table studies (
    id                varchar(36)  primary key,
    owner_id          varchar(36)  not null references owners (id),
    dataset_id        varchar(36)  not null references datasets (id),
    spec              varchar(100000) not null,
    state             varchar(16)  not null,
    phase             varchar(200),
    step              int          not null default 0,
    total_steps       int          not null default 0,
    eta_seconds       double precision,
    device            varchar(32),
    worker            varchar(120),
    attempts          int          not null default 0,
    cancel_requested  boolean      not null default false,
    error             varchar(4000),
    report_sha256     char(64),
    created_at        timestamp with time zone not null,
    started_at        timestamp with time zone,
    finished_at       timestamp with time zone,
    updated_at        timestamp with time zone not null
);
create index studies_owner on studies (owner_id, created_at);

create table study_units (
    study_id      varchar(36)  not null references studies (id) on delete cascade,
    unit_key      varchar(100) not null,
    result        varchar(1000000) not null,
    blob_sha256   char(64),
    seconds       double precision not null,
    created_at    timestamp with time zone not null,
    primary key (study_id, unit_key)
);
