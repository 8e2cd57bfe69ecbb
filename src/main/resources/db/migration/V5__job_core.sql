-- One job core: what every kind of job has (owner, state, progress, attempts, worker, timings) lives in
-- one table; each kind keeps only its own columns in its own table, keyed by the same id. Rows of
-- every earlier job are copied over, so jobs made before this migration stay readable.
create table jobs (
    id                varchar(36)  primary key,
    owner_id          varchar(36)  not null references owners (id),
    kind              varchar(40)  not null,
    parent_id         varchar(36)  references jobs (id) on delete cascade,
    state             varchar(16)  not null,
    done              bigint       not null default 0,
    total             bigint       not null default 0,
    phase             varchar(200),
    rate              double precision,
    eta_seconds       double precision,
    device            varchar(32),
    worker            varchar(120),
    attempts          int          not null default 0,
    cancel_requested  boolean      not null default false,
    error             varchar(4000),
    -- a kind without a table of its own keeps its spec and result here, as JSON
    spec_json         varchar(1000000),
    result_json       varchar(1000000),
    created_at        timestamp with time zone not null,
    started_at        timestamp with time zone,
    finished_at       timestamp with time zone,
    updated_at        timestamp with time zone not null
);
create index jobs_owner_kind on jobs (owner_id, kind, created_at);
create index jobs_parent on jobs (parent_id);
create index jobs_unfinished on jobs (state);

insert into jobs (id, owner_id, kind, state, done, total, rate, eta_seconds, device, worker, attempts,
                  cancel_requested, error, created_at, started_at, finished_at, updated_at)
select id, owner_id, 'training-job', state, step, cast(steps_per_epoch as bigint) * total_epochs, images_per_second,
       eta_seconds, device, worker, attempts, cancel_requested, error, created_at, started_at, finished_at, updated_at
from training_jobs;

insert into jobs (id, owner_id, kind, state, done, total, rate, eta_seconds, worker, attempts,
                  cancel_requested, error, created_at, started_at, finished_at, updated_at)
select id, owner_id, 'generation-job', state, done_images, total_images, images_per_second, eta_seconds, worker,
       attempts, cancel_requested, error, created_at, started_at, finished_at, updated_at
from generations;

insert into jobs (id, owner_id, kind, state, done, total, phase, eta_seconds, device, worker, attempts,
                  cancel_requested, error, created_at, started_at, finished_at, updated_at)
select id, owner_id, 'study-job', state, step, total_steps, phase, eta_seconds, device, worker, attempts,
       cancel_requested, error, created_at, started_at, finished_at, updated_at
from studies;

drop index training_jobs_owner;
alter table training_jobs drop column owner_id;
alter table training_jobs drop column state;
alter table training_jobs drop column step;
alter table training_jobs drop column images_per_second;
alter table training_jobs drop column eta_seconds;
alter table training_jobs drop column device;
alter table training_jobs drop column worker;
alter table training_jobs drop column attempts;
alter table training_jobs drop column cancel_requested;
alter table training_jobs drop column error;
alter table training_jobs drop column created_at;
alter table training_jobs drop column started_at;
alter table training_jobs drop column finished_at;
alter table training_jobs drop column updated_at;
alter table training_jobs add constraint training_jobs_job foreign key (id) references jobs (id) on delete cascade;

drop index generations_owner;
alter table generations drop column owner_id;
alter table generations drop column state;
alter table generations drop column done_images;
alter table generations drop column images_per_second;
alter table generations drop column eta_seconds;
alter table generations drop column worker;
alter table generations drop column attempts;
alter table generations drop column cancel_requested;
alter table generations drop column error;
alter table generations drop column created_at;
alter table generations drop column started_at;
alter table generations drop column finished_at;
alter table generations drop column updated_at;
alter table generations add constraint generations_job foreign key (id) references jobs (id) on delete cascade;

drop index studies_owner;
alter table studies drop column owner_id;
alter table studies drop column state;
alter table studies drop column phase;
alter table studies drop column step;
alter table studies drop column total_steps;
alter table studies drop column eta_seconds;
alter table studies drop column device;
alter table studies drop column worker;
alter table studies drop column attempts;
alter table studies drop column cancel_requested;
alter table studies drop column error;
alter table studies drop column created_at;
alter table studies drop column started_at;
alter table studies drop column finished_at;
alter table studies drop column updated_at;
alter table studies add constraint studies_job foreign key (id) references jobs (id) on delete cascade;

-- A study's units become child jobs of the study, each queued on its own so that several workers
-- share one study. A unit's row exists from when it is queued; its result is filled when it ends.
-- Units finished before this migration have no job row and stay as they are.
alter table study_units add column job_id varchar(36) references jobs (id) on delete cascade;
alter table study_units alter column result drop not null;
alter table study_units alter column seconds drop not null;
create unique index study_units_job on study_units (job_id);
