#!/usr/bin/env python3
"""Augment a graded fundus set with a denoising VAE and check whether it helps.

Creates a dataset (a folder of images with a labels CSV, or demo phantoms without --data), trains
a VAE and a DVAE, generates a grade-balanced synthetic set and downloads it as an ImageFolder tree,
runs a comparison study with the two models, prints the headline table and saves the HTML report.

    python3 augment_and_compare.py --url http://localhost:8080 --key rsk_... [--data DIR --labels CSV]

--small uses tiny settings (28 px, 1-2 epochs, 2 seeds) so the whole run takes about a minute.
"""

import argparse
import os
import statistics
import sys
import time

try:
    from retinasynth_client import Client
except ImportError:  # run from a checkout without installing the client
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
    from retinasynth_client import Client

HEADLINE = ("accuracy", "balancedAccuracy", "macroF1")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://localhost:8080")
    p.add_argument("--key", default=os.environ.get("RETINASYNTH_KEY"), help="API key (or RETINASYNTH_KEY)")
    p.add_argument("--data", help="folder of PNG/JPEG/TIFF images, or a folder holding labels.csv and "
                   "images/; demo phantoms when omitted")
    p.add_argument("--labels", help="labels CSV for --data (filename,grade[,split,...])")
    p.add_argument("--out", default="augment-out", help="folder for the synthetic set and the report")
    p.add_argument("--small", action="store_true", help="tiny settings: finishes in about a minute")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    a = p.parse_args(argv)
    if not a.key:
        p.error("--key or RETINASYNTH_KEY is required")
    if a.data and not a.labels and os.path.isfile(os.path.join(a.data, "labels.csv")):
        # a dataset folder as shared: labels.csv beside an images/ folder
        a.labels = os.path.join(a.data, "labels.csv")
        if os.path.isdir(os.path.join(a.data, "images")):
            a.data = os.path.join(a.data, "images")
    if a.data and not a.labels:
        p.error("--data needs --labels (or a labels.csv inside it)")

    api = Client(a.url, a.key)
    small = a.small
    size = 28 if small else 64
    name = "augment-%d" % int(time.time() * 1000)

    # 1. a dataset
    if a.data:
        ds = api.create_dataset(name, workingSize=size, splitSeed=1)
        reports = api.upload_folder(ds["id"], a.data, a.labels)
        print("uploaded %d images (%d refused)" % (sum(r["accepted"] for r in reports),
                                                   sum(r["rejected"] for r in reports)))
    else:
        ds = api.create_demo_dataset(name, countsPerGrade=[12, 6, 9, 5, 4] if small else [60, 16, 32, 12, 8],
                                     imageSize=40 if small else 256, workingSize=size, seed=3,
                                     valFraction=0.2, testFraction=0.3)
    print("dataset %s: %d images" % (ds["id"], api.get_dataset(ds["id"])["imageCount"]))

    # 2. a VAE and a DVAE on it
    net = dict(epochs=2, batchSize=16, latentDim=8, baseChannels=8, seed=1) if small else dict(epochs=30, seed=1)
    corruption = {"components": [{"name": "gaussian", "severity": 0.3, "probability": 1.0}]}
    vae = api.create_training_job(ds["id"], "VAE", likelihood="BERNOULLI", **net)
    dvae = api.create_training_job(ds["id"], "DVAE", likelihood="BERNOULLI", corruption=corruption, **net)
    vae = api.wait(vae, progress=not a.quiet)
    dvae = api.wait(dvae, progress=not a.quiet)
    print("trained VAE %s and DVAE %s" % (vae["id"], dvae["id"]))

    # 3. a grade-balanced synthetic set from the DVAE, as an ImageFolder tree
    gen = api.create_generation(dvae["id"], balance=True, seed=7, temperature=0.8)
    gen = api.wait(gen, progress=not a.quiet)
    folder = api.download_set(gen, os.path.join(a.out, "synthetic"))
    print("%d synthetic images in %s" % (gen["total"], folder))

    # 4. a study with the two models: does augmenting with them help the grade classifier?
    spec = dict(vaeJobId=vae["id"], dvaeJobId=dvae["id"])
    if small:
        spec.update(seeds=2, allowTwoSeeds=True, iwaeSamples=4, robustnessCorruptions=["gaussian"],
                    classifier={"epochs": 1, "batchSize": 16, "width": 16})
    study = api.wait(api.create_study(ds["id"], **spec), progress=not a.quiet)

    print()
    print(headline(api.report(study)))
    os.makedirs(a.out, exist_ok=True)
    html = os.path.join(a.out, "report.html")
    with open(html, "w", encoding="utf-8") as f:
        f.write(api.study_report_html(study["id"]))
    print("\nreport: %s" % html)
    return 0


def headline(rows):
    """Mean ± sd over seeds of the clean test metrics, one line per arm."""
    if hasattr(rows, "to_dict"):  # a pandas DataFrame
        rows = rows.astype(str).to_dict("records")
    values = {}
    for r in rows:
        if r["condition"] == "clean" and r["metric"] in HEADLINE and r["value"] not in ("", "nan", "NaN"):
            values.setdefault(r["arm"], {}).setdefault(r["metric"], []).append(float(r["value"]))
    lines = ["%-16s" % "arm" + "".join("%20s" % m for m in HEADLINE)]
    for arm, metrics in values.items():
        cells = []
        for m in HEADLINE:
            v = metrics.get(m, [])
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            cells.append("%20s" % ("%.3f ± %.3f" % (statistics.mean(v), sd) if v else "-"))
        lines.append("%-16s" % arm + "".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
