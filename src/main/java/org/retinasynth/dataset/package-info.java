/**
 * Graded fundus image sets: safe readers for uploads (images, ZIP, NPZ, labels CSV) that check
 * limits before decoding, the shared fundus preprocessing (field-of-view crop, square resize),
 * splits, statistics, sample grids and the synthetic phantom generator used for demos and tests.
 */
package org.retinasynth.dataset;
