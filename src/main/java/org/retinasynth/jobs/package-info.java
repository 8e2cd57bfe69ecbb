/**
 * The persistent job queue shared by every kind of background work: a {@link
 * org.retinasynth.jobs.JobHandler} per kind, run by db-scheduler on this instance's workers.
 */
package org.retinasynth.jobs;
