package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void theJdkDecoderReadsBackEveryPixelExactly() throws IOException {
        Random random = new Random(7);
        for (int[] size : new int[][] {{1, 1}, {64, 64}, {97, 13}, {3, 300}}) {
            BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    // wrap-around differences (0x00 after 0xFF) are where a Sub filter goes wrong
                    img.setRGB(x, y, random.nextBoolean() ? random.nextInt() : (x % 2 == 0 ? 0xFFFFFF : 0x000000));
                }
            }
            assertSamePixels(img, ImageIO.read(new ByteArrayInputStream(SampleGrid.png(img))));
        }
    }

    @Test
    void smoothFundusImagesCompressAndOtherLayoutsStillEncode() throws IOException {
        BufferedImage fundus = FundusPreprocessor.preprocess(new PhantomGenerator(3).render(2, 128), 64);
        byte[] png = SampleGrid.png(fundus);
        assertThat(png.length).isLessThan(64 * 64 * 3 / 2);
        assertSamePixels(fundus, ImageIO.read(new ByteArrayInputStream(png)));

        // a window into a larger image and a grey image take the JDK writer's path
        BufferedImage window = fundus.getSubimage(5, 7, 20, 30);
        assertSamePixels(window, ImageIO.read(new ByteArrayInputStream(SampleGrid.png(window))));
        BufferedImage grey = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 4, 0, 200);
        BufferedImage greyBack = ImageIO.read(new ByteArrayInputStream(SampleGrid.png(grey)));
        assertThat(greyBack.getRaster().getSample(3, 4, 0)).isEqualTo(200);
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y)
                        .isEqualTo(expected.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }
}
