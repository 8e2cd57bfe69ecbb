package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SampleGridTest {

    @Test
    void oneRowPerLabelWithScaledCellsAndALabelMargin() {
        BufferedImage red = solid(100, 100, 0xC04020);
        BufferedImage wide = solid(60, 30, 0x2040C0);
        int cell = 32;
        int gap = SampleGrid.GAP;
        BufferedImage grid = SampleGrid.render(List.of("grade 0", "grade 4"),
                List.of(List.of(red, red, red), List.of(wide)), cell);

        assertThat(grid.getHeight()).isEqualTo(2 * (cell + gap) + gap);
        int margin = grid.getWidth() - 3 * (cell + gap) - gap;
        assertThat(margin).isGreaterThan(20);
        // Cell centres show the (scaled) images; the short second row leaves background.
        int x0 = margin + gap;
        assertThat(grid.getRGB(x0 + cell / 2, gap + cell / 2) & 0xFFFFFF).isEqualTo(0xC04020);
        assertThat(grid.getRGB(x0 + 2 * (cell + gap) + cell / 2, gap + cell / 2) & 0xFFFFFF)
                .isEqualTo(0xC04020);
        int row2 = gap + cell + gap;
        assertThat(grid.getRGB(x0 + cell / 2, row2 + cell / 2) & 0xFFFFFF).isEqualTo(0x2040C0);
        // The 2:1 image keeps its aspect: letterboxed, so the cell's top edge is background.
        assertThat(grid.getRGB(x0 + cell / 2, row2 + 2)).isEqualTo(SampleGrid.BACKGROUND.getRGB());
        assertThat(grid.getRGB(x0 + cell + gap + cell / 2, row2 + cell / 2))
                .isEqualTo(SampleGrid.BACKGROUND.getRGB());
        assertThat(countNonBackground(grid, 0, margin)).as("label text pixels").isGreaterThan(20);
    }

    @Test
    void pngRoundTripsLosslessly() throws IOException {
        BufferedImage img = PhantomGenerator.renderEye(1, 2, 48);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(SampleGrid.png(img)));
        assertThat(back.getWidth()).isEqualTo(48);
        assertThat(PhantomGeneratorTest.pixels(back)).isEqualTo(PhantomGeneratorTest.pixels(img));
    }

    @Test
    void labelsMustMatchRows() {
        assertThatThrownBy(() -> SampleGrid.render(List.of("a"), List.of(), 16))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int countNonBackground(BufferedImage img, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                if (img.getRGB(x, y) != SampleGrid.BACKGROUND.getRGB()) {
                    n++;
                }
            }
        }
        return n;
    }
}
