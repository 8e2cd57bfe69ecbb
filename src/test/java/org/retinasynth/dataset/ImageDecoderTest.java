package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.retinasynth.dataset.ImageDecoder.DecodedImage;
import org.retinasynth.dataset.InputRejectedException.Kind;

class ImageDecoderTest {

    private static final UploadLimits LIMITS = UploadLimits.defaults();

    @Test
    void decodesPng() throws IOException {
        DecodedImage img = ImageDecoder.decode(encode(fundus(64, 48), "png"), "a.png", LIMITS);
        assertThat(img.format()).isEqualTo("png");
        assertThat(img.width()).isEqualTo(64);
        assertThat(img.height()).isEqualTo(48);
        assertThat(img.image().getRGB(32, 24) & 0xFFFFFF).isEqualTo(0xC04020);
    }

    @Test
    void decodesJpeg() throws IOException {
        DecodedImage img = ImageDecoder.decode(encode(fundus(64, 48), "jpeg"), "a.jpg", LIMITS);
        assertThat(img.format()).isEqualTo("jpeg");
        assertThat(img.image().getWidth()).isEqualTo(64);
        assertThat(img.image().getHeight()).isEqualTo(48);
    }

    @Test
    void decodesTiffWithTheJdkPlugin() throws IOException {
        byte[] tiff = encode(fundus(40, 30), "tiff");
        assertThat(ImageDecoder.detectFormat(tiff)).isEqualTo("tiff");
        DecodedImage img = ImageDecoder.decode(tiff, "a.tif", LIMITS);
        assertThat(img.format()).isEqualTo("tiff");
        assertThat(img.width()).isEqualTo(40);
        assertThat(img.height()).isEqualTo(30);
        assertThat(img.image().getRGB(20, 15) & 0xFFFFFF).isEqualTo(0xC04020);
    }

    @Test
    void formatComesFromContentNotName() throws IOException {
        DecodedImage img = ImageDecoder.decode(encode(fundus(8, 8), "png"), "photo.jpg", LIMITS);
        assertThat(img.format()).isEqualTo("png");
    }

    @Test
    void textFileNamedPngIsUnsupported() {
        byte[] text = "hello, this is not an image\n".getBytes(StandardCharsets.US_ASCII);
        assertRejected(() -> ImageDecoder.decode(text, "x.png", LIMITS), Kind.UNSUPPORTED_TYPE, "x.png");
    }

    @Test
    void gifAndBmpAreUnsupported() throws IOException {
        byte[] gif = encode(fundus(8, 8), "gif");
        byte[] bmp = encode(fundus(8, 8), "bmp");
        assertRejected(() -> ImageDecoder.decode(gif, "a.png", LIMITS), Kind.UNSUPPORTED_TYPE, "a.png");
        assertRejected(() -> ImageDecoder.decode(bmp, "b.jpg", LIMITS), Kind.UNSUPPORTED_TYPE, "b.jpg");
    }

    @Test
    void emptyFileIsMalformed() {
        assertRejected(() -> ImageDecoder.decode(new byte[0], "e.png", LIMITS), Kind.MALFORMED, "empty");
    }

    @Test
    void tooManyBytesIsRejectedBeforeLookingAtContent() throws IOException {
        byte[] png = encode(fundus(64, 64), "png");
        UploadLimits small = new UploadLimits(LIMITS.maxImagePixels(), 100, 10, 1000, 100);
        assertRejected(() -> ImageDecoder.decode(png, "big.png", small), Kind.TOO_LARGE, "limit is 100 bytes");
    }

    @Test
    void pngDecompressionBombIsRejectedFromTheHeader() {
        byte[] bomb = pngWithDeclaredSize(100_000, 100_000);
        assertThat(bomb.length).isLessThan(200);
        assertRejected(() -> ImageDecoder.decode(bomb, "bomb.png", LIMITS), Kind.TOO_LARGE, "100000x100000");
        assertRejected(() -> ImageDecoder.probe(bomb, "bomb.png", LIMITS), Kind.TOO_LARGE, "before decoding");
        // With no pixel limit the header still reads instantly: proof that nothing was decoded.
        UploadLimits unlimited = new UploadLimits(Long.MAX_VALUE, LIMITS.maxImageBytes(), 1, 1, 1);
        assertThat(ImageDecoder.probe(bomb, "bomb.png", unlimited)).isEqualTo(new Dimension(100_000, 100_000));
    }

    @Test
    void jpegDecompressionBombIsRejectedFromTheHeader() throws IOException {
        byte[] jpeg = encode(fundus(16, 16), "jpeg");
        int sof = indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0});
        assertThat(sof).isPositive();
        // SOF0: FF C0, length(2), precision(1), height(2), width(2)
        ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) 65000).putShort((short) 65000);
        assertRejected(() -> ImageDecoder.decode(jpeg, "bomb.jpg", LIMITS), Kind.TOO_LARGE, "65000x65000");
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        byte[] png = encode(fundus(100, 100), "png");
        UploadLimits small = new UploadLimits(9_999, LIMITS.maxImageBytes(), 10, 1000, 100);
        assertRejected(() -> ImageDecoder.decode(png, "a.png", small), Kind.TOO_LARGE, "limit is 9999 pixels");
        assertThat(ImageDecoder.probe(png, "a.png", LIMITS)).isEqualTo(new Dimension(100, 100));
    }

    @Test
    void truncatedJpegIsMalformedDespiteImageIoOnlyWarning() throws IOException {
        byte[] jpeg = encode(noise(256, 256), "jpeg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertRejected(() -> ImageDecoder.decode(cut, "cut.jpg", LIMITS), Kind.MALFORMED, "decoder reported");
    }

    @Test
    void decodingForASmallWorkingSizeSkipsPixelsButNotTheChecks() throws IOException {
        BufferedImage photo = PhantomGenerator.withBlackBorder(new PhantomGenerator(5).render(3, 512), 768, 512);
        byte[] jpeg = encode(photo, "jpeg");

        DecodedImage sub = ImageDecoder.decodeForWorkingSize(jpeg, "p.jpg", LIMITS, 64);
        assertThat(sub.subsampling()).isEqualTo(512 / (ImageDecoder.OVERSAMPLING * 64));
        assertThat(sub.width()).as("the file's size, not the decoded one").isEqualTo(768);
        assertThat(sub.image().getWidth()).isEqualTo(768 / sub.subsampling());
        assertThat(ImageDecoder.decodeForWorkingSize(jpeg, "p.jpg", LIMITS, 256).subsampling()).isEqualTo(1);

        // the working image differs from one made from every pixel by less than JPEG itself changes
        BufferedImage fromAll = FundusPreprocessor.preprocess(ImageDecoder.decode(jpeg, "p.jpg", LIMITS).image(), 64);
        BufferedImage fromSub = FundusPreprocessor.preprocess(sub.image(), 64);
        assertThat(psnr(fromAll, fromSub)).isGreaterThan(40);

        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertRejected(() -> ImageDecoder.decodeForWorkingSize(cut, "cut.jpg", LIMITS, 64), Kind.MALFORMED,
                "decoder reported");
    }

    private static double psnr(BufferedImage a, BufferedImage b) {
        double se = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((a.getRGB(x, y) >> shift) & 0xFF) - ((b.getRGB(x, y) >> shift) & 0xFF);
                    se += d * d;
                }
            }
        }
        return 10 * Math.log10(255.0 * 255 / (se / (3.0 * a.getWidth() * a.getHeight())));
    }

    @Test
    void truncatedPngIsMalformed() throws IOException {
        byte[] png = encode(noise(128, 128), "png");
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        assertRejected(() -> ImageDecoder.decode(cut, "cut.png", LIMITS), Kind.MALFORMED, "cut.png");
    }

    @Test
    void truncatedTiffIsMalformed() throws IOException {
        byte[] tiff = encode(noise(64, 64), "tiff");
        byte[] cut = Arrays.copyOf(tiff, tiff.length / 2);
        assertRejected(() -> ImageDecoder.decode(cut, "cut.tif", LIMITS), Kind.MALFORMED, "cut.tif");
    }

    @Test
    void signatureFollowedByGarbageIsMalformed() {
        byte[] junk = new byte[200];
        new java.util.Random(1).nextBytes(junk);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, junk, 0, 8);
        assertRejected(() -> ImageDecoder.decode(junk, "junk.png", LIMITS), Kind.MALFORMED, "junk.png");
        byte[] jpegJunk = junk.clone();
        jpegJunk[0] = (byte) 0xFF;
        jpegJunk[1] = (byte) 0xD8;
        jpegJunk[2] = (byte) 0xFF;
        assertRejected(() -> ImageDecoder.decode(jpegJunk, "junk.jpg", LIMITS), Kind.MALFORMED, "junk.jpg");
        byte[] tiffJunk = junk.clone();
        System.arraycopy(new byte[] {'I', 'I', 42, 0}, 0, tiffJunk, 0, 4);
        assertRejected(() -> ImageDecoder.decode(tiffJunk, "junk.tif", LIMITS), Kind.MALFORMED, "junk.tif");
    }

    @Test
    void zeroWidthPngIsMalformed() {
        assertRejected(() -> ImageDecoder.decode(pngWithDeclaredSize(0, 10), "zero.png", LIMITS), Kind.MALFORMED,
                "zero.png");
    }

    // ---- helpers -------------------------------------------------------------------------------

    static void assertRejected(Runnable r, Kind kind, String messagePart) {
        assertThatThrownBy(r::run)
                .isInstanceOf(InputRejectedException.class)
                .satisfies(e -> assertThat(((InputRejectedException) e).kind()).isEqualTo(kind))
                .hasMessageContaining(messagePart);
    }

    static BufferedImage fundus(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0xC04020));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random rnd = new java.util.Random(42);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).as("ImageIO writer for " + format).isTrue();
        return out.toByteArray();
    }

    /** A valid, tiny PNG (signature, IHDR with correct CRC, small IDAT, IEND) claiming w x h. */
    static byte[] pngWithDeclaredSize(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        chunk(out, "IDAT", Arrays.copyOf(idat, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
