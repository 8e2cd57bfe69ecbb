/**
 * The comparative study: a {@link org.retinasynth.study.StudySpec} names arms, seeds and
 * corruption levels; {@code StudyRunner} cuts it into units (generative models, classifiers,
 * quality scores) and runs them as a job, recording each finished unit so a restarted study resumes
 * where it stopped; {@code StudyReportBuilder} and {@link org.retinasynth.study.StudyReportRenderer}
 * turn the results into the report.
 *
 * <p>Separate from {@code metrics} because it orchestrates (jobs, storage, database) while the
 * metrics only compute. Dependency rule: it may use every capability below the API (datasets,
 * training, models, corruptions, metrics, jobs, storage); nothing but the API edge depends on it.
 */
package org.retinasynth.study;
