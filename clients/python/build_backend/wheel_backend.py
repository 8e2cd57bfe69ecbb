"""A PEP 517 build backend in the tree, with no requirements of its own.

pip can then install the client with no network at all (build isolation has nothing to fetch),
on any Python 3.9+, whatever setuptools or wheel version the machine has or lacks. It builds one
pure-Python wheel from the package folder and the metadata below.
"""

import base64
import hashlib
import os
import zipfile

NAME = "retinasynth_client"
DIST = "retinasynth-client"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METADATA = """Metadata-Version: 2.1
Name: {dist}
Version: {version}
Summary: A small client for the RetinaSynth REST API, checked against the committed OpenAPI document
License: Apache-2.0
Requires-Python: >=3.9
Requires-Dist: requests>=2.25
Provides-Extra: progress
Requires-Dist: tqdm; extra == "progress"
Provides-Extra: report
Requires-Dist: pandas; extra == "report"
Description-Content-Type: text/markdown

""".format(dist=DIST, version=VERSION)
WHEEL = "Wheel-Version: 1.0\nGenerator: retinasynth build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _metadata():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return METADATA + f.read()


def _dist_info():
    return "%s-%s.dist-info" % (NAME, VERSION)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    target = os.path.join(metadata_directory, _dist_info())
    os.makedirs(target, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", WHEEL)):
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            f.write(text)
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    records = []

    def add(zf, arcname, data):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        zf.writestr(arcname, data)
        records.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))

    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        package = os.path.join(ROOT, NAME)
        for file in sorted(os.listdir(package)):
            if file.endswith(".py"):
                with open(os.path.join(package, file), "rb") as f:
                    add(zf, "%s/%s" % (NAME, file), f.read())
        add(zf, _dist_info() + "/METADATA", _metadata().encode("utf-8"))
        add(zf, _dist_info() + "/WHEEL", WHEEL.encode("utf-8"))
        add(zf, _dist_info() + "/top_level.txt", (NAME + "\n").encode("utf-8"))
        records.append(_dist_info() + "/RECORD,,")
        zf.writestr(_dist_info() + "/RECORD", "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    import tarfile

    base = "%s-%s" % (DIST.replace("-", "_"), VERSION)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tf:
        for rel in ("pyproject.toml", "README.md", "build_backend", NAME, "tests"):
            tf.add(os.path.join(ROOT, rel), arcname=base + "/" + rel,
                   filter=lambda t: None if "__pycache__" in t.name else t)
    return filename
