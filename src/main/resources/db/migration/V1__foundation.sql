-- Portable SQL: runs on H2 (embedded default) and PostgreSQL alike.

create table owners (
    id          varchar(36)  primary key,
    name        varchar(200) not null unique,
    admin       boolean      not null default false,
    created_at  timestamp with time zone not null
);

-- Only a sha256 of each key is kept; the key itself is shown once when it is made.
create table api_keys (
    id          varchar(36)  primary key,
    owner_id    varchar(36)  not null references owners (id),
    key_hash    char(64)     not null unique,
    prefix      varchar(16)  not null,
    label       varchar(200),
    created_at  timestamp with time zone not null,
    revoked_at  timestamp with time zone
);

create table datasets (
    id            varchar(36)   primary key,
    owner_id      varchar(36)   not null references owners (id),
    name          varchar(200)  not null,
    description   varchar(2000),
    working_size  int           not null,
    class_names   varchar(4000) not null,
    split_seed    bigint        not null,
    val_fraction  double precision not null,
    test_fraction double precision not null,
    created_at    timestamp with time zone not null
);
create index datasets_owner on datasets (owner_id, created_at);

create table uploads (
    id          varchar(36)  primary key,
    dataset_id  varchar(36)  not null references datasets (id) on delete cascade,
    source      varchar(16)  not null,
    accepted    int          not null,
    rejected    int          not null,
    bytes       bigint       not null,
    report      varchar(1000000) not null,
    created_at  timestamp with time zone not null
);
create index uploads_dataset on uploads (dataset_id);

create table images (
    id               varchar(36)  primary key,
    dataset_id       varchar(36)  not null references datasets (id) on delete cascade,
    upload_id        varchar(36)  not null references uploads (id) on delete cascade,
    filename         varchar(500) not null,
    grade            int          not null,
    split            varchar(8)   not null,
    split_given      boolean      not null,
    quality          varchar(100),
    device           varchar(100),
    original_sha256  char(64)     not null,
    original_format  varchar(8)   not null,
    original_bytes   bigint       not null,
    width            int          not null,
    height           int          not null,
    fov_x            int          not null,
    fov_y            int          not null,
    fov_w            int          not null,
    fov_h            int          not null,
    processed_sha256 char(64)     not null,
    brightness       double precision not null,
    contrast         double precision not null,
    sharpness        double precision not null,
    created_at       timestamp with time zone not null,
    constraint images_unique_name unique (dataset_id, filename)
);
create index images_dataset_grade on images (dataset_id, grade, split);
create index images_original on images (original_sha256);
create index images_processed on images (processed_sha256);
