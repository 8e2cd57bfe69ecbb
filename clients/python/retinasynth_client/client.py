"""The client: one method per API operation, plus wait, download_set and report on top."""

import csv
import io
import json
import os
import tempfile
import time
import zipfile

import requests

# (HTTP method, path template, operationId) of every operation a method of Client calls;
# tests/test_spec.py checks each against openapi/openapi.json.
OPERATIONS = {}

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")


def operation(method, path, operation_id):
    """Declares the one API operation a method calls; the method finds it as self._op."""

    def register(fn):
        OPERATIONS[fn.__name__] = (method, path, operation_id)
        return fn

    return register


class ApiError(Exception):
    """A problem+json answer (RFC 9457): status, detail and the whole body."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
        super().__init__("%s: %s" % (status, self.problem.get("detail") or self.problem.get("title")))


class Client:
    """Calls the API with one key.

    >>> api = Client("http://localhost:8080", "rsk_...")
    >>> ds = api.create_demo_dataset("demo")
    """

    def __init__(self, url, key, timeout=60, session=None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["X-API-Key"] = key

    # --- plumbing -------------------------------------------------------------------------------

    def _call(self, name, path_params=None, json_body=None, params=None, files=None, data=None, stream=False,
              headers=None, expect_json=True):
        method, template, _ = OPERATIONS[name]
        path = template.format(**(path_params or {}))
        r = self.session.request(method, self.url + path, json=json_body, params=params, files=files, data=data,
                                 stream=stream, headers=headers, timeout=None if stream else self.timeout)
        if r.status_code >= 400:
            try:
                problem = r.json()
            except ValueError:
                problem = r.text
            raise ApiError(r.status_code, problem)
        if stream or not expect_json:
            return r
        return r.json() if r.content else None

    @staticmethod
    def _body(required, optional):
        body = dict(required)
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    # --- datasets -------------------------------------------------------------------------------

    @operation("POST", "/api/v1/datasets", "createDataset")
    def create_dataset(self, name, **fields):
        return self._call("create_dataset", json_body=self._body({"name": name}, fields))

    @operation("POST", "/api/v1/datasets/demo", "createDemoDataset")
    def create_demo_dataset(self, name, **fields):
        return self._call("create_demo_dataset", json_body=self._body({"name": name}, fields))

    @operation("GET", "/api/v1/datasets/{id}", "getDataset")
    def get_dataset(self, dataset_id):
        return self._call("get_dataset", {"id": dataset_id})

    @operation("GET", "/api/v1/datasets", "listDatasets")
    def list_datasets(self, page=0, size=20):
        return self._call("list_datasets", params={"page": page, "size": size})

    @operation("GET", "/api/v1/datasets/{id}/stats", "getDatasetStats")
    def dataset_stats(self, dataset_id):
        return self._call("dataset_stats", {"id": dataset_id})

    @operation("DELETE", "/api/v1/datasets/{id}", "deleteDataset")
    def delete_dataset(self, dataset_id):
        self._call("delete_dataset", {"id": dataset_id})

    @operation("POST", "/api/v1/datasets/{id}/images", "uploadImages")
    def upload_images(self, dataset_id, paths, labels_csv=None, grade=None, split=None):
        """Uploads image files with a labels CSV (filename,grade[,split,...]) or one grade for all."""
        handles = [open(p, "rb") for p in paths]
        try:
            files = [("files", (os.path.basename(p), h)) for p, h in zip(paths, handles)]
            if labels_csv is not None:
                handles.append(open(labels_csv, "rb"))
                files.append(("labels", (os.path.basename(labels_csv), handles[-1], "text/csv")))
            params = {k: v for k, v in {"grade": grade, "split": split}.items() if v is not None}
            return self._call("upload_images", {"id": dataset_id}, files=files, params=params)
        finally:
            for h in handles:
                h.close()

    def upload_folder(self, dataset_id, folder, labels_csv, batch=200):
        """Uploads every image of a folder with one labels CSV, in batches; returns the upload reports.

        Each batch carries only its own files' CSV rows: the service reports a row without its file
        as refused, so the whole CSV with every batch would count every other batch's rows."""
        exts = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
        paths = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith(exts))
        with open(labels_csv, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        names_in_header = [h.strip().lower() for h in header]
        column = names_in_header.index("filename") if "filename" in names_in_header else 0
        reports = []
        for i in range(0, len(paths), batch):
            part = paths[i:i + batch]
            names = {os.path.basename(p) for p in part}
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows(r for r in body if r and os.path.basename(r[column].replace("\\", "/")) in names)
            path = os.path.join(tempfile.mkdtemp(prefix="retinasynth-labels-"), os.path.basename(labels_csv))
            try:
                with open(path, "w", newline="", encoding="utf-8") as out:
                    out.write(text.getvalue())
                reports.append(self.upload_images(dataset_id, part, labels_csv=path))
            finally:
                os.remove(path)
                os.rmdir(os.path.dirname(path))
        return reports

    @operation("POST", "/api/v1/datasets/{id}/zip", "uploadZip")
    def upload_zip(self, dataset_id, path):
        with open(path, "rb") as f:
            return self._call("upload_zip", {"id": dataset_id},
                              files={"file": (os.path.basename(path), f, "application/zip")})

    # --- training -------------------------------------------------------------------------------

    @operation("POST", "/api/v1/training-jobs", "createTrainingJob")
    def create_training_job(self, dataset_id, model_type, **fields):
        """Queues a VAE or DVAE; fields as in the API (epochs, batchSize, corruption, ...)."""
        return self._call("create_training_job",
                          json_body=self._body({"datasetId": dataset_id, "modelType": model_type}, fields))

    @operation("GET", "/api/v1/training-jobs/{id}", "getTrainingJob")
    def get_training_job(self, job_id):
        return self._call("get_training_job", {"id": job_id})

    @operation("POST", "/api/v1/training-jobs/{id}/cancel", "cancelTrainingJob")
    def cancel_training_job(self, job_id):
        return self._call("cancel_training_job", {"id": job_id})

    @operation("GET", "/api/v1/training-jobs/{id}/events", "streamTrainingJobEvents")
    def training_job_events(self, job_id, last_event_id=None):
        return self._events("training_job_events", job_id, last_event_id)

    # --- generations ----------------------------------------------------------------------------

    @operation("POST", "/api/v1/generations", "createGeneration")
    def create_generation(self, model_id, **fields):
        """Exactly one of counts=[...], balance=True or count=N, as in the API."""
        return self._call("create_generation", json_body=self._body({"modelId": model_id}, fields))

    @operation("GET", "/api/v1/generations/{id}", "getGeneration")
    def get_generation(self, generation_id):
        return self._call("get_generation", {"id": generation_id})

    @operation("GET", "/api/v1/generations/{id}/events", "streamGenerationEvents")
    def generation_events(self, generation_id, last_event_id=None):
        return self._events("generation_events", generation_id, last_event_id)

    @operation("GET", "/api/v1/generations/{id}/images.zip", "downloadGenerationZip")
    def download_generation_zip(self, generation_id):
        """The set as ZIP bytes (ImageFolder layout plus manifest.csv)."""
        return self._call("download_generation_zip", {"id": generation_id}, expect_json=False).content

    # --- studies --------------------------------------------------------------------------------

    @operation("POST", "/api/v1/studies", "createStudy")
    def create_study(self, dataset_id, **fields):
        return self._call("create_study", json_body=self._body({"datasetId": dataset_id}, fields))

    @operation("GET", "/api/v1/studies/{id}", "getStudy")
    def get_study(self, study_id):
        return self._call("get_study", {"id": study_id})

    @operation("GET", "/api/v1/studies/{id}/events", "streamStudyEvents")
    def study_events(self, study_id, last_event_id=None):
        return self._events("study_events", study_id, last_event_id)

    @operation("GET", "/api/v1/studies/{id}/report", "getStudyReport")
    def study_report(self, study_id):
        return self._call("study_report", {"id": study_id})

    @operation("GET", "/api/v1/studies/{id}/report.csv", "getStudyReportCsv")
    def study_report_csv(self, study_id):
        return self._call("study_report_csv", {"id": study_id}, expect_json=False).text

    @operation("GET", "/api/v1/studies/{id}/report.html", "getStudyReportHtml")
    def study_report_html(self, study_id):
        return self._call("study_report_html", {"id": study_id}, expect_json=False).text

    # --- on top ---------------------------------------------------------------------------------

    _KINDS = {
        # kind: (get method, events method)
        "training": ("get_training_job", "training_job_events"),
        "generation": ("get_generation", "generation_events"),
        "study": ("get_study", "study_events"),
    }

    @staticmethod
    def kind_of(job):
        """Which kind a job answer is, from the fields only that kind has."""
        if "modelType" in job:
            return "training"
        if "modelId" in job:
            return "generation"
        if "reportAvailable" in job:
            return "study"
        raise ValueError("not a training job, generation or study: %r" % sorted(job))

    def wait(self, job, timeout=None, poll=2.0, progress=True):
        """Waits until a training job, generation or study ends; returns its final state.

        Follows the job's event stream (resuming with Last-Event-ID when the connection drops) and
        falls back to polling when the stream is not available. Shows a tqdm bar if tqdm is installed.
        Raises RuntimeError when the job FAILED or was CANCELLED.
        """
        kind = self.kind_of(job)
        get, events = self._KINDS[kind]
        job_id = job["id"]
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = _bar(kind, job_id) if progress else None
        last_id = None
        try:
            while True:
                current = getattr(self, get)(job_id)
                if current["state"] in FINISHED:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError("%s %s still %s" % (kind, job_id, current["state"]))
                try:
                    for event in getattr(self, events)(job_id, last_id):
                        last_id = event.get("id") or last_id
                        _update(bar, event["data"])
                        if event["event"] == "end" or (deadline is not None and time.monotonic() > deadline):
                            break
                except (requests.RequestException, ApiError, ValueError):
                    _update(bar, current)
                    time.sleep(poll)  # no stream: poll instead
        finally:
            if bar is not None:
                bar.close()
        final = getattr(self, get)(job_id)
        if final["state"] != "SUCCEEDED":
            raise RuntimeError("%s %s ended %s: %s" % (kind, job_id, final["state"], final.get("error")))
        return final

    def download_set(self, generation, folder):
        """Unzips a generated set into folder as an ImageFolder tree (<grade>/<file>.png, manifest.csv)."""
        gen_id = generation["id"] if isinstance(generation, dict) else generation
        data = self.download_generation_zip(gen_id)
        os.makedirs(folder, exist_ok=True)
        root = os.path.realpath(folder)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                target = os.path.realpath(os.path.join(root, name))
                if not target.startswith(root + os.sep):
                    raise ValueError("unsafe entry in the set: %r" % name)
            z.extractall(root)
        return root

    def report(self, study):
        """The study's per-seed results: a pandas DataFrame when pandas is installed, else a list of dicts."""
        study_id = study["id"] if isinstance(study, dict) else study
        text = self.study_report_csv(study_id)
        try:
            import pandas
        except ImportError:
            import csv
            return list(csv.DictReader(io.StringIO(text)))
        return pandas.read_csv(io.StringIO(text))

    def _events(self, name, job_id, last_event_id):
        """Yields {'id', 'event', 'data'} of a job's event stream until the server closes it."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        r = self._call(name, {"id": job_id}, stream=True, headers=headers)
        with r:
            event = {"id": None, "event": "message", "data": []}
            for line in r.iter_lines(decode_unicode=True):
                if line is None:
                    continue
                if line == "":
                    if event["data"]:
                        yield {"id": event["id"], "event": event["event"], "data": json.loads("\n".join(event["data"]))}
                    event = {"id": None, "event": "message", "data": []}
                elif line.startswith(":"):
                    continue
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "data":
                        event["data"].append(value)
                    elif field in ("id", "event"):
                        event[field] = value


def _bar(kind, job_id):
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(desc="%s %s" % (kind, job_id[:8]), unit="step")


def _update(bar, state):
    if bar is None or not state:
        return
    total = state.get("total") or state.get("totalSteps")
    done = state.get("done", state.get("step"))
    if total and bar.total != total:
        bar.total = total
    if done is not None:
        bar.n = done
    bar.set_postfix_str(state.get("phase") or state.get("state") or "")
    bar.refresh()
