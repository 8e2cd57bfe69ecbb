package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.MediaType;

class UploadApiTest extends ApiTestSupport {

    @Test
    void filesWithCsvStoreTheGoodAndReportTheBad() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "files");
        String csv = "filename,grade,split,quality,device\n"
                + "a.png,0,train,good,cam-1\n"
                + "b.jpg,3,test,usable,cam-2\n"
                + "c.tif,Moderate NPDR,,good,cam-1\n"
                + "broken.png,1,,,\n"
                + "wrong.png,7,,,\n"
                + "ghost.png,2,,,\n";
        byte[] truncated = Arrays.copyOf(TestFiles.phantom(1, 64, 5, "png"), 200);
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "a.png", TestFiles.phantom(0, 64, 1, "png")))
                        .file(part("files", "b.jpg", TestFiles.phantom(3, 64, 2, "jpg")))
                        .file(part("files", "c.tif", TestFiles.phantom(2, 64, 3, "tiff")))
                        .file(part("files", "broken.png", truncated))
                        .file(part("files", "wrong.png", TestFiles.phantom(1, 64, 4, "png")))
                        .file(part("files", "notes.png", "just text".getBytes(StandardCharsets.UTF_8)))
                        .file(part("labels", "labels.csv", csv.getBytes(StandardCharsets.UTF_8))))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.accepted").value(3))
                .andExpect(jsonPath("$.rejected").value(4))
                .andExpect(jsonPath("$.acceptedPerGrade.2").value(1))
                .andExpect(jsonPath("$.rejectedFiles[?(@.name=='wrong.png')].reason",
                        org.hamcrest.Matchers.hasItem(containsString("unknown grade '7'"))))
                .andExpect(jsonPath("$.rejectedFiles[?(@.name=='ghost.png')]").exists())
                .andExpect(jsonPath("$.rejectedFiles[?(@.name=='broken.png')]").exists())
                .andExpect(jsonPath("$.rejectedFiles[?(@.name=='notes.png')]").exists());

        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/images?split=test")))
                .andExpect(jsonPath("$.items[0].filename").value("b.jpg"))
                .andExpect(jsonPath("$.items[0].device").value("cam-2"))
                .andExpect(jsonPath("$.items[0].originalFormat").value("jpeg"));
        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/uploads")))
                .andExpect(jsonPath("$.length()").value(1))
                .andExpect(jsonPath("$[0].rejected").value(4));

        // the same names again: refused as duplicates, nothing changes
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "a.png", TestFiles.phantom(0, 64, 1, "png"))).param("grade", "0"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.rejectedFiles[0].reason", containsString("already in the dataset")));
    }

    @Test
    void aLargePhotoDecodedAtReducedResolutionKeepsItsSizeAndFieldOfViewInFilePixels() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "large");
        byte[] photo = TestFiles.phantom(2, 512, 5, "jpg"); // 768 x 512: decoded at every 2nd pixel for 64 px
        java.awt.Rectangle truth = org.retinasynth.dataset.FundusPreprocessor.fieldOfView(
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(photo)));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images").file(part("files", "big.jpg", photo))
                .param("grade", "2")).andExpect(status().isCreated());

        String images = json(key, "/api/v1/datasets/" + id + "/images");
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].width")).isEqualTo(768);
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].height")).isEqualTo(512);
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].fieldOfView.x"))
                .isCloseTo(truth.x, org.assertj.core.api.Assertions.within(4));
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].fieldOfView.width"))
                .isCloseTo(truth.width, org.assertj.core.api.Assertions.within(4));
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].fieldOfView.height"))
                .isCloseTo(truth.height, org.assertj.core.api.Assertions.within(4));
    }

    @Test
    void uploadWithoutLabelsIsRefused() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "nolabels");
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "a.png", TestFiles.phantom(0, 64, 1, "png"))))
                .andExpect(status().isUnprocessableContent())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void imageFolderZipKeepsGradesAndSplits() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "zip");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train/0/a.png", TestFiles.phantom(0, 64, 1, "png"));
        entries.put("train/4/b.png", TestFiles.phantom(4, 64, 2, "png"));
        entries.put("test/2/c.jpg", TestFiles.phantom(2, 64, 3, "jpg"));
        entries.put("README.txt", "hello".getBytes(StandardCharsets.UTF_8));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/zip").file(part("file", "set.zip", TestFiles.zip(entries))))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.accepted").value(3))
                .andExpect(jsonPath("$.rejectedFiles[0].name").value("README.txt"));
        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/stats")))
                .andExpect(jsonPath("$.countsBySplit.train[4]").value(1))
                .andExpect(jsonPath("$.countsBySplit.test[2]").value(1))
                .andExpect(jsonPath("$.missingGrades.length()").value(2));
    }

    @Test
    void zipWithAptosStyleCsvMatchesIdsWithoutExtension() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "aptos");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train_images/000c1434d8d7.png", TestFiles.phantom(2, 64, 1, "png"));
        entries.put("train_images/001639a390f0.png", TestFiles.phantom(4, 64, 2, "png"));
        entries.put("train.csv", "id_code,diagnosis\n000c1434d8d7,2\n001639a390f0,4\n".getBytes(StandardCharsets.UTF_8));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/zip").file(part("file", "aptos.zip", TestFiles.zip(entries))))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.accepted").value(2))
                .andExpect(jsonPath("$.acceptedPerGrade.4").value(1));
    }

    @Test
    void unsafeArchivesAreRefusedWholeAndStoreNothing() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "hostile");
        byte[] good = TestFiles.phantom(1, 64, 11, "png");
        Map<String, String> before = storeSnapshot();

        Map<String, byte[]> traversal = new LinkedHashMap<>();
        traversal.put("0/fine.png", good);
        traversal.put("../../evil.png", good);
        expectRefused(key, id, TestFiles.zip(traversal), 400);

        Map<String, byte[]> nested = new LinkedHashMap<>();
        nested.put("0/fine.png", good);
        nested.put("inner.zip", TestFiles.zip(Map.of("0/x.png", good)));
        expectRefused(key, id, TestFiles.zip(nested), 400);

        expectRefused(key, id, bomb(), 413);

        byte[] whole = TestFiles.zip(Map.of("0/fine.png", good, "1/other.png", TestFiles.phantom(1, 64, 12, "png")));
        expectRefused(key, id, Arrays.copyOf(whole, whole.length / 2), 400);

        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/zip").file(part("file", "x.zip", good)))
                .andExpect(status().isUnsupportedMediaType());

        // a decompression bomb inside an otherwise good archive taints the whole upload
        Map<String, byte[]> pixelBomb = new LinkedHashMap<>();
        pixelBomb.put("0/fine.png", good);
        pixelBomb.put("1/huge.png", hugePng());
        expectRefused(key, id, TestFiles.zip(pixelBomb), 413);

        assertThat(storeSnapshot()).isEqualTo(before);
        mvc.perform(as(key, get("/api/v1/datasets/" + id))).andExpect(jsonPath("$.imageCount").value(0));
    }

    @Test
    void medMnistNpzKeepsItsSplits() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "npz");
        int n = 6;
        byte[] pixels = new byte[n * 28 * 28 * 3];
        new java.util.Random(1).nextBytes(pixels);
        Map<String, TestFiles.Npy> arrays = new LinkedHashMap<>();
        arrays.put("train_images", new TestFiles.Npy("|u1", new int[] {n, 28, 28, 3}, pixels));
        arrays.put("train_labels", new TestFiles.Npy("|u1", new int[] {n, 1}, new byte[] {0, 1, 2, 3, 4, 4}));
        arrays.put("test_images", new TestFiles.Npy("|u1", new int[] {2, 28, 28}, Arrays.copyOf(pixels, 2 * 28 * 28)));
        arrays.put("test_labels", new TestFiles.Npy("|u1", new int[] {2}, new byte[] {0, 9}));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/npz").file(part("file", "retina.npz", TestFiles.npz(arrays))))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.accepted").value(7))
                .andExpect(jsonPath("$.rejectedFiles[0].name").value("test_00001.png"))
                .andExpect(jsonPath("$.rejectedFiles[0].reason", containsString("unknown grade '9'")));
        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/stats")))
                .andExpect(jsonPath("$.countsBySplit.train[4]").value(2))
                .andExpect(jsonPath("$.countsBySplit.test[0]").value(1))
                .andExpect(jsonPath("$.grades[0].width.max").value(28.0));

        Map<String, TestFiles.Npy> pickled = new LinkedHashMap<>();
        pickled.put("train_images", new TestFiles.Npy("|O", new int[] {1}, new byte[] {(byte) 0x80, 4, '.'}));
        pickled.put("train_labels", new TestFiles.Npy("|u1", new int[] {1}, new byte[] {0}));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/npz").file(part("file", "evil.npz", TestFiles.npz(pickled))))
                .andExpect(status().isBadRequest());
        Map<String, TestFiles.Npy> floats = new LinkedHashMap<>();
        floats.put("train_images", new TestFiles.Npy("<f4", new int[] {1, 2, 2}, new byte[16]));
        floats.put("train_labels", new TestFiles.Npy("|u1", new int[] {1}, new byte[] {0}));
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/npz").file(part("file", "f.npz", TestFiles.npz(floats))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail", containsString("train_images")));
        mvc.perform(as(key, get("/api/v1/datasets/" + id))).andExpect(jsonPath("$.imageCount").value(7));
    }

    private void expectRefused(String key, String id, byte[] zip, int status) throws Exception {
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/zip").file(part("file", "x.zip", zip)))
                .andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").isNotEmpty());
    }

    /** 200 MB of zeros deflate to ~200 KB: a ratio of ~1000, far over the limit of 100. */
    private static byte[] bomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new ZipEntry("0/zeros.png"));
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                zip.write(chunk);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /** A valid PNG header claiming 100000 x 100000 pixels: 10^10 pixels in a few bytes. */
    static byte[] hugePng() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(100_000).putInt(100_000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
