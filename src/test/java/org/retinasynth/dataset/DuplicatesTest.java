package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.RescaleOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DuplicatesTest {

    private final Map<String, BufferedImage> pixels = new HashMap<>();
    private final List<DatasetImage> images = new ArrayList<>();

    private void add(String name, BufferedImage image, String blob, Split split) {
        pixels.put(blob, image);
        images.add(new DatasetImage(name, "d", "u", name, 0, split, false, null, null, null, null, "o" + name,
                "png", 1, 64, 64, null, blob, null, null));
    }

    @Test
    void findsIdenticalPixelsAndAResizedBrightenedCopyButNotDifferentPhantoms() {
        PhantomGenerator phantoms = new PhantomGenerator(11);
        for (int i = 0; i < 40; i++) {
            add("p" + i + ".png", phantoms.render(i % 5, 64), "sha" + i, i % 3 == 0 ? Split.TEST : Split.TRAIN);
        }
        // p1 stored again under another name in another split: identical pixels, the same blob
        add("copy-of-p1.png", pixels.get("sha1"), "sha1", Split.TEST);
        // p2 made at 128 px, brightened, and brought back to 64 px: other pixels, the same photograph
        BufferedImage big = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(pixels.get("sha2"), 0, 0, 128, 128, null);
        BufferedImage bright = new RescaleOp(1.08f, 0f, null).filter(big, null);
        BufferedImage back = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        back.createGraphics().drawImage(bright, 0, 0, 64, 64, null);
        add("p2-rescanned.png", back, "sha-rescanned", Split.TRAIN);

        Duplicates d = Duplicates.find(images, sha -> Duplicates.Print.of(pixels.get(sha)));

        assertThat(d.exact()).isEqualTo(1);
        assertThat(d.near()).isEqualTo(1);
        assertThat(d.groups()).extracting(Duplicates.DuplicateGroup::kind).containsExactlyInAnyOrder(Duplicates.Kind.EXACT, Duplicates.Kind.NEAR);
        assertThat(d.groups()).filteredOn(g -> g.kind() == Duplicates.Kind.EXACT).singleElement()
                .satisfies(g -> assertThat(g.images()).extracting(Duplicates.DuplicateImage::filename)
                        .containsExactlyInAnyOrder("p1.png", "copy-of-p1.png"));
        assertThat(d.groups()).filteredOn(g -> g.kind() == Duplicates.Kind.NEAR).singleElement()
                .satisfies(g -> assertThat(g.images()).extracting(Duplicates.DuplicateImage::filename)
                        .containsExactlyInAnyOrder("p2.png", "p2-rescanned.png"));
        assertThat(d.pairsAcrossSplits()).as("p1 is in train, its copy in test").isEqualTo(1);
        assertThat(d.pairsWithinSplit()).as("p2 and its rescan are both in train").isEqualTo(1);
    }

    @Test
    void aSetWithoutDuplicatesReportsNone() {
        PhantomGenerator phantoms = new PhantomGenerator(5);
        for (int i = 0; i < 30; i++) {
            add("p" + i + ".png", phantoms.render(i % 5, 64), "sha" + i, Split.TRAIN);
        }
        Duplicates d = Duplicates.find(images, sha -> Duplicates.Print.of(pixels.get(sha)));
        assertThat(d.groups()).isEmpty();
        assertThat(d.pairsWithinSplit() + d.pairsAcrossSplits()).isZero();
    }
}
