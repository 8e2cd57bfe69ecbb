/**
 * The comparative study: a {@link org.retinasynth.study.StudySpec} names arms, seeds and
 * corruption levels; {@code StudyPlan} cuts it into units (a generative model, an arm × seed
 * classifier) and what each waits for; {@code StudyRunner} queues the ready units as child jobs
 * that any worker runs ({@code StudyUnitRunner}, {@code StudyWork}), and builds the report once all
 * have finished; a finished unit is kept, so a study taken up again redoes only what is missing;
 * {@code StudyReportBuilder} and {@link org.retinasynth.study.StudyReportRenderer} turn the results
 * into the report.
 *
 * <p>Separate from {@code metrics} because it orchestrates (jobs, storage, database) while the
 * metrics only compute. Dependency rule: it may use every capability below the API (datasets,
 * training, models, corruptions, metrics, jobs, storage); nothing but the API edge depends on it.
 */
package org.retinasynth.study;
