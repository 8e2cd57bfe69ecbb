/**
 * Synthetic images from a trained model: per-grade counts or balancing plans, deterministic
 * chunked sampling (small requests at once, large ones as resumable jobs), ZIP and grid downloads,
 * registration of a generated set as a dataset, and the model's denoise / encode operations;
 * {@link org.retinasynth.generation.GradeFilter} keeps only samples a grade classifier places in
 * their intended grade (used by the study's *_BALANCED arms too).
 */
package org.retinasynth.generation;
