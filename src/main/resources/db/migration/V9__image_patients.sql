-- The patient (subject) and eye of an image, when the upload names them. Splits keep a patient's
-- images together, so the patient's existing split is looked up on every upload.
alter table images add column patient varchar(200);
alter table images add column eye varchar(8);
create index images_dataset_patient on images (dataset_id, patient);
