"""Every method of the client calls an operation that the committed OpenAPI document declares."""

import json
import os
import unittest

from retinasynth_client import OPERATIONS, Client

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "openapi", "openapi.json")


class SpecTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        with open(SPEC, encoding="utf-8") as f:
            cls.spec = json.load(f)

    def test_every_operation_exists_with_its_method_and_id(self):
        self.assertGreaterEqual(len(OPERATIONS), 20)
        for name, (method, path, operation_id) in OPERATIONS.items():
            with self.subTest(method=name):
                self.assertTrue(path in self.spec["paths"], "%s calls an undocumented path %s" % (name, path))
                op = self.spec["paths"][path].get(method.lower())
                self.assertIsNotNone(op, "%s: %s %s is not in the spec" % (name, method, path))
                self.assertEqual(op.get("operationId"), operation_id, name)

    def test_path_parameters_match(self):
        for name, (method, path, _) in OPERATIONS.items():
            op = self.spec["paths"].get(path, {}).get(method.lower())
            if op is None:
                continue  # reported by the test above
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            used = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            self.assertEqual(declared, used, name)

    def test_every_declared_operation_belongs_to_a_method(self):
        for name in OPERATIONS:
            self.assertTrue(callable(getattr(Client, name, None)), name)

    def test_json_bodies_only_name_known_fields(self):
        # the fixed fields each create method sends itself; callers' **fields are checked by the server
        fixed = {"create_dataset": ["name"], "create_demo_dataset": ["name"],
                 "create_training_job": ["datasetId", "modelType"], "create_generation": ["modelId"],
                 "create_study": ["datasetId"]}
        schemas = self.spec["components"]["schemas"]
        for name, fields in fixed.items():
            method, path, _ = OPERATIONS[name]
            ref = self.spec["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
            schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
            self.assertIs(schema.get("additionalProperties"), False, name)
            for field in fields:
                self.assertIn(field, schema["properties"], name)


if __name__ == "__main__":
    unittest.main()
