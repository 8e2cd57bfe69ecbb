package org.retinasynth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class CorruptionImgTest {

    @Test
    void rgbRoundTripIsExactAt8Bits() {
        int h = 5;
        int w = 7;
        float[] chw = new float[3 * h * w];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = ((i * 37) % 256) / 255f;
        }
        BufferedImage img = Img.toBufferedImage(chw, h, w);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        // Pixel (x=2, y=1) = index 9 of each plane.
        int rgb = img.getRGB(2, 1);
        assertThat((rgb >> 16) & 0xff).isEqualTo(Math.round(chw[9] * 255));
        assertThat((rgb >> 8) & 0xff).isEqualTo(Math.round(chw[9 + h * w] * 255));
        assertThat(rgb & 0xff).isEqualTo(Math.round(chw[9 + 2 * h * w] * 255));
        Img back = Img.fromBufferedImage(img);
        assertThat(back.height()).isEqualTo(h);
        assertThat(back.width()).isEqualTo(w);
        assertThat(back.chw()).containsExactly(chw);
    }

    @Test
    void readsCommonImageTypesLikeGetRgb() {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_BYTE_INDEXED}) {
            BufferedImage img = new BufferedImage(6, 4, type);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 6; x++) {
                    img.setRGB(x, y, 0xff000000 | (x * 40) << 16 | (y * 60) << 8 | (x * y * 10));
                }
            }
            float[] chw = Img.fromBufferedImage(img).chw();
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 6; x++) {
                    int rgb = img.getRGB(x, y);
                    int i = y * 6 + x;
                    assertThat(chw[i] * 255).as("type %s", type).isCloseTo((rgb >> 16) & 0xff, within(1e-3f));
                    assertThat(chw[i + 24] * 255).isCloseTo((rgb >> 8) & 0xff, within(1e-3f));
                    assertThat(chw[i + 48] * 255).isCloseTo(rgb & 0xff, within(1e-3f));
                }
            }
        }
    }

    @Test
    void greyImagesUseStoredValuesReplicatedToThreeChannels() {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 128);
        float[] chw = Img.fromBufferedImage(grey).chw();
        assertThat(chw[4]).isEqualTo(128 / 255f);
        assertThat(chw[4 + 6]).isEqualTo(128 / 255f);
        assertThat(chw[4 + 12]).isEqualTo(128 / 255f);

        BufferedImage grey16 = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 65535);
        grey16.getRaster().setSample(1, 0, 0, 32768);
        float[] g = Img.fromBufferedImage(grey16).chw();
        assertThat(g[0]).isEqualTo(1f);
        assertThat(g[1]).isCloseTo(0.5f, within(1e-4f));
    }

    @Test
    void subImagesReadTheirOwnPixels() {
        BufferedImage big = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        big.setRGB(5, 6, 0xffffff);
        float[] chw = Img.fromBufferedImage(big.getSubimage(4, 4, 4, 4)).chw();
        assertThat(chw[2 * 4 + 1]).isEqualTo(1f);
        assertThat(chw[0]).isZero();
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThatThrownBy(() -> new Img(new float[10], 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3*2*2");
        assertThatThrownBy(() -> Img.toBufferedImage(new float[12], 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
