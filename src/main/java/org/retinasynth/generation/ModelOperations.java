package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.List;
import org.retinasynth.image.Img;
import org.retinasynth.dataset.FundusPreprocessor;
import org.retinasynth.dataset.ImageDecoder;
import org.retinasynth.dataset.InputRejectedException;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.UploadLimits;
import org.retinasynth.model.VaeModel;
import org.retinasynth.security.Owner;
import org.retinasynth.training.TrainingJob;
import org.springframework.stereotype.Service;

/**
 * What a trained model does to one uploaded image: its clean reconstruction (denoise) and its
 * posterior (encode). The image is decoded with the upload limits and preprocessed exactly like a
 * dataset image (field-of-view crop, square resize to the model's working size).
 */
@Service
public class ModelOperations {

    /** The approximate posterior q(z|x) of one image: per-dimension mean and variance. */
    public record Encoding(String modelId, int latentDim, Integer grade, List<Float> mean, List<Float> variance) {
    }

    private final GenerationService generations;
    private final ModelCache models;
    private final UploadLimits limits;

    ModelOperations(GenerationService generations, ModelCache models, UploadLimits limits) {
        this.generations = generations;
        this.models = models;
        this.limits = limits;
    }

    /**
     * Refuses an image over the byte limit before the caller reads it into memory (413), as the
     * dataset upload does.
     */
    public void checkSize(long bytes, String filename) {
        if (bytes > limits.maxImageBytes()) {
            throw new InputRejectedException(InputRejectedException.Kind.TOO_LARGE, "Image '" + filename + "' has "
                    + bytes + " bytes; the limit is " + limits.maxImageBytes() + " bytes per image");
        }
    }

    /** PNG of the decoder mean at the posterior mean, at the model's working size. */
    public byte[] denoise(Owner owner, String modelId, byte[] image, String filename, Integer grade) {
        TrainingJob job = generations.succeededModel(owner, modelId);
        float[] out = models.with(job.modelSha256(), model -> {
            float[] x = input(model, image, filename);
            return model.reconstruct(x, labels(model, grade), 1);
        });
        int s = (int) Math.round(Math.sqrt(out.length / 3.0));
        return SampleGrid.png(Img.toBufferedImage(out, s, s));
    }

    public Encoding encode(Owner owner, String modelId, byte[] image, String filename, Integer grade) {
        TrainingJob job = generations.succeededModel(owner, modelId);
        return models.with(job.modelSha256(), model -> {
            float[][] stats = model.encode(input(model, image, filename), labels(model, grade), 1);
            List<Float> mean = new ArrayList<>(stats[0].length);
            List<Float> variance = new ArrayList<>(stats[1].length);
            for (int i = 0; i < stats[0].length; i++) {
                mean.add(stats[0][i]);
                variance.add((float) Math.exp(stats[1][i]));
            }
            return new Encoding(modelId, model.config().latentDim(), grade, mean, variance);
        });
    }

    private float[] input(VaeModel model, byte[] bytes, String filename) {
        String name = filename == null || filename.isBlank() ? "image" : filename;
        ImageDecoder.DecodedImage decoded = ImageDecoder.decodeForWorkingSize(bytes, name, limits,
                model.config().imageSize());
        return Img.fromBufferedImage(FundusPreprocessor.preprocess(decoded.image(), model.config().imageSize())).chw();
    }

    private static int[] labels(VaeModel model, Integer grade) {
        int classes = model.config().numClasses();
        if (classes == 0) {
            if (grade != null) {
                throw new IllegalArgumentException("this model is unconditional: omit grade");
            }
            return null;
        }
        if (grade == null || grade < 0 || grade >= classes) {
            throw new IllegalArgumentException("this model is conditional on the grade: give a grade between 0 and "
                    + (classes - 1));
        }
        return new int[] {grade};
    }
}
