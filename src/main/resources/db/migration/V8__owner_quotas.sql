-- An owner's own limits; a null column (or no row) takes the configured default (retinasynth.quotas.*).
create table owner_quotas (
    owner_id              varchar(36) primary key references owners (id) on delete cascade,
    stored_bytes          bigint,
    images                bigint,
    active_jobs           bigint,
    images_per_generation bigint
);
