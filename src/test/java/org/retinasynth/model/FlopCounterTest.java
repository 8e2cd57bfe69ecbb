package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlopCounterTest {

    @Test
    void matchesAHandCountForATinyConditionalModel() {
        // 28 px -> 2 stages, bottleneck 7x7; encoder channels 8, 16; decoder channels 8, 8
        VaeConfig c = new VaeConfig(28, 3, 16, 8, 5, VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.1, 2, 3);
        long enc0 = 2L * 3 * 4 * 4 * 8 * 14 * 14;      // conv4x4/2 3->8 @14x14   = 150,528
        long enc1 = 2L * 8 * 4 * 4 * 16 * 7 * 7;       // conv4x4/2 8->16 @7x7    = 200,704
        long post = 2L * (16 * 7 * 7 + 5) * (2 * 16);  // linear 789 -> 32        =  50,496
        long decIn = 2L * (16 + 5) * (16 * 7 * 7);     // linear 21 -> 784        =  32,928
        long dec0 = 2L * 16 * 3 * 3 * (4 * 8) * 7 * 7; // conv3x3 16->32 @7x7     = 451,584
        long dec1 = 2L * 8 * 3 * 3 * (4 * 8) * 14 * 14; // conv3x3 8->32 @14x14   = 903,168
        long out = 2L * 8 * 3 * 3 * 3 * 28 * 28;       // conv3x3 8->3 @28x28     = 338,688

        FlopCounter.Flops f = FlopCounter.count(c);

        assertThat(f.encoderForward()).isEqualTo(enc0 + enc1 + post).isEqualTo(401_728);
        assertThat(f.decoderForward()).isEqualTo(decIn + dec0 + dec1 + out).isEqualTo(1_726_368);
        assertThat(f.forwardPerImage()).isEqualTo(2_128_096);
        // 3 x (K encoder passes + K*M decoder passes), K=2, M=3
        assertThat(f.trainStepPerImage()).isEqualTo(3L * (2 * 401_728 + 6 * 1_726_368))
                .isEqualTo(33_484_992);
        assertThat(f.trainStepPerImage(1, 1)).isEqualTo(3L * 2_128_096);
        assertThat(f.samplePerImage()).isEqualTo(1_726_368);
    }

    @Test
    void defaultSixtyFourPixelModelPlan() {
        VaeConfig c = VaeConfig.defaults(64);
        String plan = FlopCounter.describe(c);
        System.out.print(plan);
        System.out.println(FlopCounter.count(c));
        assertThat(plan).contains("enc3      conv4x4/2 128 -> 256 @4x4",
                "dec0      conv3x3 256 -> 512 @4x4", "dec_out   conv3x3 32 -> 3 @64x64");
        // learned sigma doubles the output channels
        assertThat(FlopCounter.count(c.withLikelihood(VaeConfig.Likelihood.GAUSSIAN_LEARNED))
                .decoderForward() - FlopCounter.count(c).decoderForward())
                .isEqualTo(2L * 32 * 9 * 3 * 64 * 64);
        System.out.print(FlopCounter.describe(VaeConfig.defaults(28)));
        System.out.print(FlopCounter.describe(VaeConfig.defaults(30)));
    }

    @Test
    void classifierMatchesAHandCount() {
        // 28 px, width 16: stem and stage 0 at 28x28, stage 1 at 14x14, stage 2 at 7x7
        long stem = 2L * 3 * 9 * 16 * 28 * 28;                              //   677,376
        long stage0 = 2 * (2L * 16 * 9 * 16 * 28 * 28);                     // 7,225,344
        long stage1 = 2L * 16 * 9 * 32 * 14 * 14 + 2L * 32 * 9 * 32 * 14 * 14
                + 2L * 16 * 32 * 14 * 14;                                   // 5,619,712
        long stage2 = 2L * 32 * 9 * 64 * 7 * 7 + 2L * 64 * 9 * 64 * 7 * 7
                + 2L * 32 * 64 * 7 * 7;                                     // 5,619,712
        long head = 2L * 64 * 2;
        FlopCounter.ClassifierFlops f = FlopCounter.count(new ClassifierConfig(28, 3, 2, 16, 0, 0));
        assertThat(f.forwardPerImage()).isEqualTo(stem + stage0 + stage1 + stage2 + head)
                .isEqualTo(19_142_400);
        assertThat(f.trainStepPerImage()).isEqualTo(3 * f.forwardPerImage());
        // 200 px: stride-2 stem to 100, max pool to 50, stages at 50, 25, 13
        FlopCounter.ClassifierFlops big = FlopCounter.count(new ClassifierConfig(200, 3, 5, 32, 0, 0));
        long bigStem = 2L * 3 * 9 * 32 * 100 * 100;
        long bigStage0 = 2 * (2L * 32 * 9 * 32 * 50 * 50);
        long bigStage1 = 2L * 32 * 9 * 64 * 25 * 25 + 2L * 64 * 9 * 64 * 25 * 25 + 2L * 32 * 64 * 25 * 25;
        long bigStage2 = 2L * 64 * 9 * 128 * 13 * 13 + 2L * 128 * 9 * 128 * 13 * 13 + 2L * 64 * 128 * 13 * 13;
        assertThat(big.forwardPerImage()).isEqualTo(bigStem + bigStage0 + bigStage1 + bigStage2 + 2L * 128 * 5);
    }
}
