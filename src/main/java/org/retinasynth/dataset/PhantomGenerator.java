package org.retinasynth.dataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic fundus images whose diabetic-retinopathy grade is known by construction. Real
 * photographs cannot enter the repository or the unit tests, yet the pipeline (preprocessing, the
 * grade classifier used for evaluation, the demo endpoint) needs graded images that look enough
 * like fundus photographs to exercise it: a dark surround, a shaded disc, optic disc, macula,
 * vessels, and lesions whose number and kind rise with the grade.
 *
 * <p>All geometry is drawn in disc units (disc radius 1) and mapped to pixels at the end, so the
 * same eye renders the same at any size. Lesions get a floor in pixels, because at 64 px a
 * microaneurysm at its true scale would vanish and the grades would stop being learnable.
 */
public final class PhantomGenerator {

    public static final int GRADES = 5;
    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE = 1024;

    /** Disc radius as a fraction of the frame: a little black margin, like a camera image. */
    static final double DISC_FRACTION = 0.46;

    /** An image and the grade it was rendered at. */
    public record Labelled(BufferedImage image, int grade) {
    }

    private final SplittableRandom random;

    /** Seeded once; a given seed and sequence of calls always yields the same images. */
    public PhantomGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Renders a new random eye at the given grade (0..4), size x size pixels (16..1024). */
    public BufferedImage render(int grade, int size) {
        return renderEye(random.nextLong(), grade, size);
    }

    /** {@code perGrade} images of each grade, grade-major. */
    public List<Labelled> batch(int perGrade, int size) {
        List<Labelled> out = new ArrayList<>(perGrade * GRADES);
        for (int grade = 0; grade < GRADES; grade++) {
            for (int i = 0; i < perGrade; i++) {
                out.add(new Labelled(render(grade, size), grade));
            }
        }
        return out;
    }

    /**
     * Renders one eye, identified by {@code eyeSeed}, at a grade. Anatomy and lesions come from
     * separate random streams, so the same eye at a higher grade has the same vessels and disc,
     * only with more disease: tests can measure the lesion burden as the difference from grade 0.
     */
    public static BufferedImage renderEye(long eyeSeed, int grade, int size) {
        if (grade < 0 || grade >= GRADES) {
            throw new IllegalArgumentException("grade must be in 0.." + (GRADES - 1) + ", got " + grade);
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "size must be in " + MIN_SIZE + ".." + MAX_SIZE + ", got " + size);
        }
        return new Eye(eyeSeed, size).draw(grade);
    }

    /**
     * Centres a square fundus image on a black canvas, as a camera's 3:2 or 4:3 frame would, so
     * the field-of-view crop can be tested on a known disc position.
     */
    public static BufferedImage withBlackBorder(BufferedImage fundus, int width, int height) {
        if (width < fundus.getWidth() || height < fundus.getHeight()) {
            throw new IllegalArgumentException("canvas " + width + "x" + height
                    + " is smaller than the image " + fundus.getWidth() + "x" + fundus.getHeight());
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(fundus, (width - fundus.getWidth()) / 2, (height - fundus.getHeight()) / 2, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** One eye: anatomy fixed by the seed, drawn at one size. */
    private static final class Eye {
        private final int size;
        private final double radiusPx;
        private final SplittableRandom anatomy;
        private final long lesionSeed;
        // Fundus pigment and exposure vary between people and cameras.
        private final double baseR;
        private final double baseG;
        private final double baseB;
        private final double exposure;
        private final double odX;
        private final double odY;
        private final double odRadius;
        private final double fovX;
        private final double fovY;
        private final List<Vessel> veins = new ArrayList<>();

        private record Vessel(List<Point2D.Double> points, double width) {
        }

        Eye(long seed, int size) {
            this.size = size;
            this.radiusPx = size * DISC_FRACTION;
            this.anatomy = new SplittableRandom(seed);
            this.lesionSeed = anatomy.nextLong();
            baseR = 205 + anatomy.nextDouble(-20, 20);
            baseG = 88 + anatomy.nextDouble(-18, 18);
            baseB = 38 + anatomy.nextDouble(-12, 12);
            exposure = anatomy.nextDouble(0.85, 1.1);
            // Left and right eyes mirror each other: the optic disc sits nasally, on either side.
            double side = anatomy.nextBoolean() ? 1 : -1;
            odX = side * anatomy.nextDouble(0.38, 0.5);
            odY = anatomy.nextDouble(-0.08, 0.08);
            odRadius = anatomy.nextDouble(0.14, 0.17);
            // The fovea lies about 2.5 disc diameters temporal to the disc, a little below it.
            fovX = odX - side * anatomy.nextDouble(0.5, 0.6);
            fovY = odY + anatomy.nextDouble(0.0, 0.06);
        }

        BufferedImage draw(int grade) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            paintBackground(img);
            Graphics2D g = img.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                // Disc units from here on: origin at the centre, radius 1.
                g.translate(size / 2.0, size / 2.0);
                g.scale(radiusPx, radiusPx);
                g.setClip(new Ellipse2D.Double(-1, -1, 2, 2));
                paintVessels(g);
                paintLesions(g, grade);
            } finally {
                g.dispose();
            }
            return img;
        }

        /** Per-pixel: shaded disc, optic disc glow, macular darkening; smooth fields only. */
        private void paintBackground(BufferedImage img) {
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            double c = size / 2.0;
            double odSigma = odRadius * 0.55;
            double macSigma = 0.13;
            // Low-frequency illumination ripple so that no two phantoms share one flat colour.
            double phase1 = anatomy.nextDouble(0, 2 * Math.PI);
            double phase2 = anatomy.nextDouble(0, 2 * Math.PI);
            for (int y = 0; y < size; y++) {
                double v = (y + 0.5 - c) / radiusPx;
                for (int x = 0; x < size; x++) {
                    double u = (x + 0.5 - c) / radiusPx;
                    double r = Math.sqrt(u * u + v * v);
                    // Antialiased rim: coverage of the pixel by the disc, in pixels.
                    double cover = clamp((1 - r) * radiusPx + 0.5, 0, 1);
                    if (cover <= 0) {
                        continue;
                    }
                    // Vignetting: the rim of a fundus photo falls off steeply.
                    double shade = exposure * (1 - 0.55 * Math.pow(r, 2.5))
                            * (1 + 0.04 * Math.sin(3 * u + phase1) * Math.cos(2 * v + phase2));
                    double red = baseR * shade;
                    double green = baseG * shade;
                    double blue = baseB * shade;
                    double dm = sq(u - fovX) + sq(v - fovY);
                    double mac = 0.38 * Math.exp(-dm / (2 * macSigma * macSigma));
                    red *= 1 - mac * 0.8;
                    green *= 1 - mac;
                    blue *= 1 - mac;
                    double dod = Math.sqrt(sq(u - odX) + sq(v - odY));
                    // Optic disc: a bright yellow rim-limited disc with a paler central cup.
                    double od = clamp((odRadius - dod) / (odRadius * 0.25), 0, 1);
                    double cup = Math.exp(-dod * dod / (2 * odSigma * odSigma * 0.35));
                    double halo = 0.25 * Math.exp(-sq(dod / (odRadius * 1.8)));
                    red = mix(red, 252, Math.max(od * 0.92, halo));
                    green = mix(green, 205 + 40 * cup, Math.max(od * 0.92, halo * 0.6));
                    blue = mix(blue, 110 + 90 * cup, Math.max(od * 0.7, halo * 0.3));
                    px[y * size + x] = rgb(red * cover, green * cover, blue * cover);
                }
            }
        }

        /**
         * Vessels leave the optic disc as four arcades (each a vein and an artery) plus a few
         * small macular branches. Angles are in a frame where +x points from the disc towards
         * the fovea, mirrored for the other eye; the temporal arcades bend round the macula.
         */
        private void paintVessels(Graphics2D g) {
            double mirror = Math.signum(fovX - odX);
            Color vein = new Color(118, 20, 18);
            Color artery = new Color(165, 38, 28);
            // {start heading (deg), bend (rad per disc unit)}; y grows downwards.
            double[][] trunks = {{-75, 0.9}, {75, -0.9}, {-140, -0.25}, {140, 0.25}};
            for (double[] t : trunks) {
                double heading = Math.toRadians(t[0] + anatomy.nextDouble(-10, 10));
                double bend = t[1] * anatomy.nextDouble(0.8, 1.2);
                growVessel(g, odX, odY, mirror, heading + 0.1, bend, 0.032, 60, vein, 0, true);
                growVessel(g, odX, odY, mirror, heading - 0.1, bend, 0.024, 60, artery, 0, false);
            }
            int macular = 2 + anatomy.nextInt(2);
            for (int i = 0; i < macular; i++) {
                double heading = Math.toRadians(anatomy.nextDouble(-25, 25));
                growVessel(g, odX, odY, mirror, heading, 0, 0.012, 14, artery, 2, false);
            }
        }

        /**
         * A random walk with a steady bend that tapers along its length and occasionally gives
         * off a thinner branch, which itself bends less: this gives the gently curving, thinning
         * tree of a real fundus rather than a tangle.
         */
        private void growVessel(Graphics2D g, double x, double y, double mirror, double heading,
                double bend, double width, int steps, Color colour, int depth, boolean vein) {
            double minWidth = 0.45 / radiusPx;
            double step = 0.025;
            List<Point2D.Double> pts = new ArrayList<>();
            pts.add(new Point2D.Double(x, y));
            g.setColor(colour);
            for (int i = 0; i < steps; i++) {
                heading += bend * step + anatomy.nextDouble(-0.06, 0.06);
                double nx = x + mirror * Math.cos(heading) * step;
                double ny = y + Math.sin(heading) * step;
                double taper = width * (1 - 0.45 * i / steps);
                g.setStroke(new BasicStroke((float) Math.max(taper, minWidth), BasicStroke.CAP_ROUND,
                        BasicStroke.JOIN_ROUND));
                g.draw(new Line2D.Double(x, y, nx, ny));
                x = nx;
                y = ny;
                pts.add(new Point2D.Double(x, y));
                if (x * x + y * y > 1) {
                    break;
                }
                if (depth < 2 && i > 5 && anatomy.nextDouble() < 0.05) {
                    double side = anatomy.nextBoolean() ? 1 : -1;
                    growVessel(g, x, y, mirror, heading + side * anatomy.nextDouble(0.5, 0.9),
                            bend * 0.3, taper * 0.65, (int) ((steps - i) * 0.8), colour, depth + 1,
                            vein);
                    g.setColor(colour);
                    // Murray's law: the parent narrows after giving off a branch.
                    width *= 0.88;
                }
            }
            if (vein && depth == 0) {
                veins.add(new Vessel(pts, width));
            }
        }

        /**
         * Lesion counts rise with grade and each grade adds a kind of lesion, roughly following
         * the international clinical DR scale: microaneurysms only (1), plus haemorrhages and
         * exudates (2), many blots, venous beading and cotton-wool spots (3),
         * neovascularisation and pre-retinal haemorrhage (4).
         *
         * <p>Each kind draws from its own stream and a grade only appends to the list of the
         * grade below, so the same eye at a higher grade keeps every lesion it had: disease
         * burden then rises with grade for each eye, not just on average.
         */
        private void paintLesions(Graphics2D g, int grade) {
            if (grade == 0) {
                return;
            }
            SplittableRandom base = new SplittableRandom(lesionSeed);
            SplittableRandom maRnd = base.split();
            SplittableRandom haemRnd = base.split();
            SplittableRandom exRnd = base.split();
            SplittableRandom beadRnd = base.split();
            SplittableRandom cwsRnd = base.split();
            SplittableRandom nvRnd = base.split();
            int[] ma = {0, 5, 10, 16, 22};
            int[] blots = {0, 0, 0, 14, 22};
            int[] exClusters = {0, 0, 2, 4, 5};
            microaneurysms(g, maRnd, ma[grade] + maRnd.nextInt(3));
            if (grade >= 2) {
                haemorrhages(g, haemRnd, 5 + haemRnd.nextInt(3), blots[grade]);
                exudates(g, exRnd, exClusters[grade] + exRnd.nextInt(2));
            }
            if (grade >= 3) {
                venousBeading(g, beadRnd);
                cottonWool(g, cwsRnd, grade - 1 + cwsRnd.nextInt(3));
            }
            if (grade >= 4) {
                neovascularisation(g, nvRnd);
                preretinalHaemorrhage(g, nvRnd);
            }
        }

        /** At least {@code minPx} pixels across, whatever the image size. */
        private double atLeast(double discUnits, double minPx) {
            return Math.max(discUnits, minPx / radiusPx);
        }

        private Point2D.Double randomRetinaPoint(SplittableRandom rnd, double maxR) {
            while (true) {
                double x = rnd.nextDouble(-maxR, maxR);
                double y = rnd.nextDouble(-maxR, maxR);
                boolean inside = x * x + y * y <= maxR * maxR;
                // Lesions on the optic disc would be hidden by its glare anyway.
                boolean offDisc = sq(x - odX) + sq(y - odY) > sq(odRadius * 1.4);
                if (inside && offDisc) {
                    return new Point2D.Double(x, y);
                }
            }
        }

        private void microaneurysms(Graphics2D g, SplittableRandom rnd, int n) {
            g.setColor(new Color(105, 8, 10));
            for (int i = 0; i < n; i++) {
                Point2D.Double p = randomRetinaPoint(rnd, 0.8);
                double r = atLeast(rnd.nextDouble(0.014, 0.022), 1.0);
                g.fill(new Ellipse2D.Double(p.x - r, p.y - r, 2 * r, 2 * r));
            }
        }

        /** Dot haemorrhages first, then larger irregular blots (grade 3 on). */
        private void haemorrhages(Graphics2D g, SplittableRandom rnd, int dots, int blots) {
            for (int i = 0; i < dots + blots; i++) {
                boolean blot = i >= dots;
                Point2D.Double p = randomRetinaPoint(rnd, 0.85);
                double r = atLeast(blot ? rnd.nextDouble(0.035, 0.07) : rnd.nextDouble(0.025, 0.045), 1.4);
                g.setColor(new Color(115 + rnd.nextInt(25), 12, 12, 235));
                // Blots are irregular: a few overlapping ellipses rather than one circle.
                int parts = blot ? 3 : 1;
                for (int k = 0; k < parts; k++) {
                    double dx = k == 0 ? 0 : rnd.nextDouble(-r, r) * 0.6;
                    double dy = k == 0 ? 0 : rnd.nextDouble(-r, r) * 0.6;
                    double rx = r * rnd.nextDouble(0.7, 1.1);
                    double ry = r * rnd.nextDouble(0.7, 1.1);
                    g.fill(new Ellipse2D.Double(p.x + dx - rx, p.y + dy - ry, 2 * rx, 2 * ry));
                }
            }
        }

        /** Hard exudates come in clusters, mostly around the macula where they threaten vision. */
        private void exudates(Graphics2D g, SplittableRandom rnd, int clusters) {
            g.setColor(new Color(245, 228, 125));
            for (int c = 0; c < clusters; c++) {
                double cx = fovX + rnd.nextDouble(-0.35, 0.35);
                double cy = fovY + rnd.nextDouble(-0.35, 0.35);
                int n = 3 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    double x = cx + rnd.nextDouble(-0.09, 0.09);
                    double y = cy + rnd.nextDouble(-0.09, 0.09);
                    double r = atLeast(rnd.nextDouble(0.012, 0.026), 0.9);
                    g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
                }
            }
        }

        /** Sausage-like calibre changes along the main veins. */
        private void venousBeading(Graphics2D g, SplittableRandom rnd) {
            g.setColor(new Color(110, 18, 16));
            for (Vessel v : veins) {
                if (rnd.nextDouble() < 0.4) {
                    continue;
                }
                List<Point2D.Double> pts = v.points();
                for (int i = 8; i < pts.size(); i += 3 + rnd.nextInt(2)) {
                    Point2D.Double p = pts.get(i);
                    double r = atLeast(v.width() * rnd.nextDouble(0.9, 1.3), 0.8);
                    g.fill(new Ellipse2D.Double(p.x - r, p.y - r, 2 * r, 2 * r));
                }
            }
        }

        /** Pale fluffy patches: nerve-fibre infarcts, typical of severe NPDR. */
        private void cottonWool(Graphics2D g, SplittableRandom rnd, int n) {
            for (int i = 0; i < n; i++) {
                Point2D.Double p = randomRetinaPoint(rnd, 0.6);
                double r = atLeast(rnd.nextDouble(0.04, 0.065), 1.5);
                // Soft-edged: opaque centre fading out, no hard border like an exudate's.
                g.setPaint(new RadialGradientPaint((float) p.x, (float) p.y, (float) r,
                        new float[] {0f, 1f},
                        new Color[] {new Color(242, 222, 200, 220), new Color(242, 222, 200, 0)}));
                g.fill(new Ellipse2D.Double(p.x - r, p.y - r, 2 * r, 2 * r));
            }
        }

        /** Fine tangled loops of new vessels on and around the optic disc. */
        private void neovascularisation(Graphics2D g, SplittableRandom rnd) {
            g.setColor(new Color(185, 25, 30));
            g.setStroke(new BasicStroke((float) atLeast(0.008, 0.6), BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND));
            int loops = 8 + rnd.nextInt(5);
            for (int i = 0; i < loops; i++) {
                double a = rnd.nextDouble(0, 2 * Math.PI);
                double d = rnd.nextDouble(0.3, 1.8) * odRadius;
                double cx = odX + Math.cos(a) * d;
                double cy = odY + Math.sin(a) * d;
                double r = rnd.nextDouble(0.03, 0.07);
                Path2D.Double loop = new Path2D.Double();
                loop.moveTo(cx + r, cy);
                // Closed wobbly curve: random control points around a small circle.
                int segs = 4;
                for (int s = 1; s <= segs; s++) {
                    double t = 2 * Math.PI * s / segs;
                    double tm = t - Math.PI / segs;
                    double rr = r * rnd.nextDouble(0.5, 1.8);
                    loop.quadTo(cx + Math.cos(tm) * rr, cy + Math.sin(tm) * rr,
                            cx + Math.cos(t) * r, cy + Math.sin(t) * r);
                }
                g.draw(loop);
            }
        }

        /** A boat-shaped dark patch: blood trapped in front of the retina settles flat on top. */
        private void preretinalHaemorrhage(Graphics2D g, SplittableRandom rnd) {
            Point2D.Double p = randomRetinaPoint(rnd, 0.55);
            double rx = rnd.nextDouble(0.16, 0.24);
            double ry = rx * rnd.nextDouble(0.6, 0.8);
            Path2D.Double boat = new Path2D.Double();
            boat.moveTo(p.x - rx, p.y);
            boat.lineTo(p.x + rx, p.y);
            boat.curveTo(p.x + rx, p.y + ry * 1.3, p.x - rx, p.y + ry * 1.3, p.x - rx, p.y);
            boat.closePath();
            g.setColor(new Color(95, 6, 8, 240));
            g.fill(boat);
        }

    }

    private static double sq(double v) {
        return v * v;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double mix(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static int rgb(double r, double g, double b) {
        return (int) clamp(Math.round(r), 0, 255) << 16 | (int) clamp(Math.round(g), 0, 255) << 8
                | (int) clamp(Math.round(b), 0, 255);
    }
}
