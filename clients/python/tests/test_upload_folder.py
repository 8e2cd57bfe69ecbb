"""upload_folder sends each batch with only its own rows of the labels CSV."""

import csv
import os
import tempfile
import unittest

from retinasynth_client import Client


class UploadFolderTest(unittest.TestCase):

    def test_each_batch_carries_only_its_files_rows(self):
        with tempfile.TemporaryDirectory() as d:
            images = os.path.join(d, "images")
            os.mkdir(images)
            for i in range(5):
                with open(os.path.join(images, "p%d.jpg" % i), "wb") as f:
                    f.write(b"x")
            labels = os.path.join(d, "labels.csv")
            with open(labels, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["filename", "grade", "patient"])
                for i in range(5):
                    w.writerow(["images/p%d.jpg" % i, i % 5, "P%d" % (i // 2)])
            sent = []

            def capture(dataset_id, paths, labels_csv=None, **_):
                with open(labels_csv, newline="") as f:
                    rows = list(csv.reader(f))
                sent.append(([os.path.basename(p) for p in paths], rows))
                return {"accepted": len(paths), "rejected": 0}

            client = Client("http://unused", "rsk_x")
            client.upload_images = capture
            reports = client.upload_folder("ds", images, labels, batch=2)

        self.assertEqual(len(reports), 3)
        self.assertEqual([names for names, _ in sent], [["p0.jpg", "p1.jpg"], ["p2.jpg", "p3.jpg"], ["p4.jpg"]])
        for names, rows in sent:
            self.assertEqual(rows[0], ["filename", "grade", "patient"])
            self.assertEqual([os.path.basename(r[0]) for r in rows[1:]], names)


if __name__ == "__main__":
    unittest.main()
