-- Synthetic images from a trained model. No foreign key to training_jobs: a generated set keeps its
-- provenance (model job id and content hash) after the training job that made the model is deleted.
create table generations (
    id                 varchar(36)  primary key,
    owner_id           varchar(36)  not null references owners (id),
    model_job_id       varchar(36)  not null,
    model_sha256       char(64)     not null,
    plan               varchar(100000) not null,
    state              varchar(16)  not null,
    total_images       int          not null,
    done_images        int          not null default 0,
    images_per_second  double precision,
    eta_seconds        double precision,
    worker             varchar(120),
    attempts           int          not null default 0,
    cancel_requested   boolean      not null default false,
    error              varchar(4000),
    provenance         varchar(100000),
    created_at         timestamp with time zone not null,
    started_at         timestamp with time zone,
    finished_at        timestamp with time zone,
    updated_at         timestamp with time zone not null
);
create index generations_owner on generations (owner_id, created_at);

-- One row per image; a chunk's rows are written together, so a resumed job restarts after the
-- last complete chunk.
create table generated_images (
    generation_id  varchar(36)  not null references generations (id) on delete cascade,
    idx            int          not null,
    chunk          int          not null,
    grade          int,
    filename       varchar(200) not null,
    sha256         char(64)     not null,
    primary key (generation_id, idx)
);
create index generated_images_sha on generated_images (sha256);
