package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.retinasynth.dataset.ImageDecoderTest.assertRejected;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.retinasynth.dataset.InputRejectedException.Kind;
import org.retinasynth.dataset.LabelsCsv.Parsed;
import org.retinasynth.dataset.LabelsCsv.Row;
import org.retinasynth.dataset.LabelsCsv.RowError;

class LabelsCsvTest {

    private static Parsed parse(String csv) {
        return LabelsCsv.parse(csv.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aptosHeader() {
        Parsed p = parse("id_code,diagnosis\n000c1434d8d7,2\n001639a390f0,4\n");
        assertThat(p.filenameColumn()).isEqualTo("id_code");
        assertThat(p.gradeColumn()).isEqualTo("diagnosis");
        assertThat(p.errors()).isEmpty();
        assertThat(p.rows()).containsExactly(
                new Row(2, "000c1434d8d7", "2", null, null, null),
                new Row(3, "001639a390f0", "4", null, null, null));
    }

    @Test
    void eyePacsHeader() {
        Parsed p = parse("image,level\r\n10_left,0\r\n10_right,0\r\n13_left,1\r\n");
        assertThat(p.filenameColumn()).isEqualTo("image");
        assertThat(p.gradeColumn()).isEqualTo("level");
        assertThat(p.rows()).extracting(Row::filename).containsExactly("10_left", "10_right", "13_left");
        assertThat(p.rows()).extracting(Row::line).containsExactly(2, 3, 4);
        assertThat(LabelsCsv.key(p.rows().get(0).filename())).isEqualTo(LabelsCsv.key("train/10_left.jpeg"));
    }

    @Test
    void plainHeaderWithAllColumnsCaseInsensitiveAndTrimmed() {
        Parsed p = parse("FileName , Grade,Split,QUALITY,device\n"
                + "0/a.png, 0 ,train,good,Topcon\n"
                + "\n"
                + "4/b.png,severe,Validation,,\n"
                + "c.tif,3,TEST,usable,\"Canon, CR-2\"\n"
                + ",,,,\n"
                + "   \n");
        assertThat(p.errors()).isEmpty();
        assertThat(p.rows()).containsExactly(
                new Row(2, "0/a.png", "0", "train", "good", "Topcon"),
                new Row(4, "4/b.png", "severe", "val", null, null),
                new Row(5, "c.tif", "3", "test", "usable", "Canon, CR-2"));
    }

    @Test
    void utf8BomIsIgnored() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "filename,grade\nä.png,1\n".getBytes(StandardCharsets.UTF_8);
        byte[] csv = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, csv, 0, 3);
        System.arraycopy(body, 0, csv, 3, body.length);
        Parsed p = LabelsCsv.parse(csv);
        assertThat(p.filenameColumn()).isEqualTo("filename");
        assertThat(p.rows()).containsExactly(new Row(2, "ä.png", "1", null, null, null));
    }

    @Test
    void duplicateNamesAreReportedOnTheSecondRow() {
        Parsed p = parse("filename,grade\na.png,1\nb.png,2\na.png,3\nb,4\n");
        assertThat(p.rows()).extracting(Row::filename).containsExactly("a.png", "b.png");
        assertThat(p.errors()).extracting(RowError::line).containsExactly(4, 5);
        assertThat(p.errors().get(0).reason()).contains("duplicate file name 'a.png'", "line 2");
        assertThat(p.errors().get(1).reason()).contains("'b'", "same image as 'b.png'", "line 3");
    }

    @Test
    void brokenRowsAreErrorsNotFailures() {
        Parsed p = parse("filename,grade,split\n"
                + "a.png,1,train\n"
                + ",2,train\n"
                + "c.png,,train\n"
                + "d.png,3,holdout\n"
                + "e.png,4\n"
                + "f.png,4,test,extra\n");
        assertThat(p.rows()).extracting(Row::filename).containsExactly("a.png");
        assertThat(p.errors()).extracting(RowError::line).containsExactly(3, 4, 5, 6, 7);
        assertThat(p.errors().get(0).reason()).contains("empty filename");
        assertThat(p.errors().get(1).reason()).contains("empty grade");
        assertThat(p.errors().get(2).reason()).contains("split 'holdout'", "train, val, validation, test");
        assertThat(p.errors().get(3).reason()).contains("2 fields but the header has 3");
    }

    @Test
    void lineNumbersFollowMultiLineQuotedFields() {
        Parsed p = parse("filename,grade,device\na.png,1,\"two\nlines\"\nb.png,2,x\n");
        assertThat(p.rows()).extracting(Row::line).containsExactly(2, 4);
    }

    @Test
    void missingGradeColumnIsBadLabels() {
        assertRejected(() -> parse("filename,quality\na.png,good\n"), Kind.BAD_LABELS,
                "no grade column: expected one of grade, level, diagnosis, label, dr_grade, class");
    }

    @Test
    void missingFilenameColumnIsBadLabels() {
        assertRejected(() -> parse("picture,grade\na.png,1\n"), Kind.BAD_LABELS, "no file name column");
    }

    @Test
    void sameColumnTwiceIsBadLabels() {
        assertRejected(() -> parse("filename,Grade,grade\na.png,1,2\n"), Kind.BAD_LABELS, "column 'grade' twice");
    }

    @Test
    void emptyFileIsBadLabels() {
        assertRejected(() -> parse(""), Kind.BAD_LABELS, "empty");
        assertRejected(() -> parse("\n\n"), Kind.BAD_LABELS, "empty");
    }

    @Test
    void firstAliasWinsWhenSeveralArePresent() {
        Parsed p = parse("name,image,label,level\nAlice,10_left.jpeg,x,2\n");
        assertThat(p.filenameColumn()).isEqualTo("image");
        assertThat(p.gradeColumn()).isEqualTo("level");
        assertThat(p.rows()).containsExactly(new Row(2, "10_left.jpeg", "2", null, null, null));
    }

    @Test
    void latin1IsMalformed() {
        byte[] latin1 = "filename,grade\nbild_\u00e4.png,1\n".getBytes(StandardCharsets.ISO_8859_1);
        assertRejected(() -> LabelsCsv.parse(latin1, "labels.csv"), Kind.MALFORMED,
                "'labels.csv' is not valid UTF-8 (first bad byte at offset 20)");
    }

    @Test
    void binaryIsMalformed() {
        assertRejected(() -> parse("filename,grade\na\0.png,1\n"), Kind.MALFORMED, "NUL");
    }

    @Test
    void brokenQuotingIsMalformed() {
        assertRejected(() -> parse("filename,grade\n\"a.png,1\n"), Kind.MALFORMED, "not a valid CSV");
    }

    @Test
    void tooManyBytesIsTooLarge() {
        byte[] huge = new byte[(int) LabelsCsv.MAX_BYTES + 1];
        assertRejected(() -> LabelsCsv.parse(huge), Kind.TOO_LARGE, "limit is 67108864 bytes");
    }

    @Test
    void tooManyRowsIsTooLarge() {
        StringBuilder sb = new StringBuilder(12 * 1_000_010).append("filename,grade\n");
        for (int i = 0; i <= LabelsCsv.MAX_ROWS; i++) {
            sb.append(i).append(",1\n");
        }
        assertRejected(() -> parse(sb.toString()), Kind.TOO_LARGE, "more than 1000000 rows");
    }

    @Test
    void keyDropsDirectoryAndImageExtensionOnly() {
        assertThat(LabelsCsv.key("10_left")).isEqualTo("10_left");
        assertThat(LabelsCsv.key("10_left.jpeg")).isEqualTo("10_left");
        assertThat(LabelsCsv.key("train/4/10_left.JPEG")).isEqualTo("10_left");
        assertThat(LabelsCsv.key("C:\\scans\\a.TIF")).isEqualTo("a");
        assertThat(LabelsCsv.key("img.001")).isEqualTo("img.001");
        assertThat(LabelsCsv.key("img.001.png")).isEqualTo("img.001");
        assertThat(LabelsCsv.key("Case.png")).isNotEqualTo(LabelsCsv.key("case.png"));
        assertThat(LabelsCsv.key(".png")).isEqualTo(".png");
    }

    @Test
    void patientAndEyeColumnsByAlias() {
        Parsed p = parse("filename,grade,split,patient,eye,class_id\n"
                + "images/P1_L.jpg,0,test,P001,L,1\n"
                + "images/P1_R.jpg,1,,P001,od,1\n"
                + "x.png,2,,,,1\n");
        assertThat(p.errors()).isEmpty();
        assertThat(p.rows()).containsExactly(
                new Row(2, "images/P1_L.jpg", "0", "test", null, null, "P001", "left"),
                new Row(3, "images/P1_R.jpg", "1", null, null, null, "P001", "right"),
                new Row(4, "x.png", "2", null, null, null, null, null));
        assertThat(parse("image,level,Subject,Laterality\na,0,s-9,Left\n").rows())
                .containsExactly(new Row(2, "a", "0", null, null, null, "s-9", "left"));
        assertThat(parse("image,level,patient_id\na,0,42\n").rows().get(0).patient()).isEqualTo("42");
    }

    @Test
    void unknownEyeOrOverlongPatientIsARowError() {
        Parsed p = parse("filename,grade,patient,eye\na.png,0,P1,both\nb.png,0," + "x".repeat(201) + ",L\n"
                + "c.png,0,P2,R\n");
        assertThat(p.rows()).extracting(Row::filename).containsExactly("c.png");
        assertThat(p.errors()).extracting(RowError::line).containsExactly(2, 3);
        assertThat(p.errors().get(0).reason()).contains("eye 'both'");
        assertThat(p.errors().get(1).reason()).contains("longer than 200");
    }
}
