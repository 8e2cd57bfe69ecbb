-- The persistent queue of db-scheduler (its documented PostgreSQL table, in types H2 also reads).
create table scheduled_tasks (
    task_name            varchar(100) not null,
    task_instance        varchar(100) not null,
    task_data            bytea,
    execution_time       timestamp with time zone not null,
    picked               boolean      not null,
    picked_by            varchar(100),
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures int,
    last_heartbeat       timestamp with time zone,
    version              bigint       not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index execution_time_idx on scheduled_tasks (execution_time);
create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);

-- A job's state lives here; its bytes (checkpoints, models, pictures) in the blob store.
create table training_jobs (
    id                   varchar(36)  primary key,
    owner_id             varchar(36)  not null references owners (id),
    dataset_id           varchar(36)  not null references datasets (id),
    model_type           varchar(8)   not null,
    spec                 varchar(100000) not null,
    state                varchar(16)  not null,
    total_epochs         int          not null,
    epoch                int          not null default 0,
    step                 bigint       not null default 0,
    steps_per_epoch      int          not null default 0,
    images_per_second    double precision,
    eta_seconds          double precision,
    device               varchar(32),
    worker               varchar(120),
    best_val_loss        double precision,
    best_epoch           int,
    attempts             int          not null default 0,
    cancel_requested     boolean      not null default false,
    error                varchar(4000),
    checkpoint_epoch     int          not null default 0,
    checkpoint_sha256    char(64),
    model_sha256         char(64),
    reconstructions_sha256 char(64),
    provenance           varchar(100000),
    created_at           timestamp with time zone not null,
    started_at           timestamp with time zone,
    finished_at          timestamp with time zone,
    updated_at           timestamp with time zone not null
);
create index training_jobs_owner on training_jobs (owner_id, created_at);

create table training_epochs (
    job_id        varchar(36) not null references training_jobs (id) on delete cascade,
    epoch         int         not null,
    train_loss    double precision not null,
    train_recon   double precision not null,
    train_kl      double precision not null,
    val_loss      double precision,
    val_recon     double precision,
    val_kl        double precision,
    val_psnr      double precision,
    val_psnr_corrupted double precision,
    learning_rate double precision not null,
    kl_weight     double precision not null,
    seconds       double precision not null,
    primary key (job_id, epoch)
);
