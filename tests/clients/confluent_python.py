"""The Python confluent-kafka SchemaRegistryClient and JSON serializer against schemagate.

Usage: python confluent_python.py http://127.0.0.1:PORT
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import json
import pathlib
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

URL = sys.argv[1]
ROOT = pathlib.Path(__file__).resolve().parents[2]
WIDGET = json.loads((ROOT / "schemas/widgets/WidgetCreated.json").read_text())
SUBJECT = "widgets.WidgetCreated-value"
results = []


def check(name, fn):
    try:
        fn()
        results.append((name, None))
    except Exception as e:  # report every failure, keep going
        results.append((name, repr(e)))


def variant(version, extra=None):
    s = json.loads(json.dumps(WIDGET))
    s["properties"]["schema_version"]["const"] = version
    if extra:
        s["properties"].update(extra)
    return Schema(json.dumps(s), "JSON")


client = SchemaRegistryClient({"url": URL})
state = {}


def register():
    state["id"] = client.register_schema(SUBJECT, variant("1.0.0"))
    assert state["id"] >= 1
    assert client.register_schema(SUBJECT, variant("1.0.0")) == state["id"], "idempotent"


def reads():
    assert SUBJECT in client.get_subjects()
    assert client.get_versions(SUBJECT) == [1]
    latest = client.get_latest_version(SUBJECT)
    assert latest.schema_id == state["id"] and latest.version == 1
    assert json.loads(client.get_schema(state["id"]).schema_str)["title"] == "WidgetCreated"
    found = client.lookup_schema(SUBJECT, variant("1.0.0"))
    assert found.version == 1 and found.schema_id == state["id"]
    assert "JSON" in client.get_schema_types()


def compatibility():
    added = variant("1.1.0", {"owner_id": {"type": "string"}})
    # default FULL_TRANSITIVE: adding a field to a closed model breaks forward
    assert client.test_compatibility(SUBJECT, added) is False
    try:
        client.register_schema(SUBJECT, added)
        raise AssertionError("incompatible schema was registered")
    except SchemaRegistryError as e:
        assert e.http_status_code == 409 and e.error_code == 409, e
        assert "/properties/owner_id" in e.error_message
    client.set_compatibility(SUBJECT, "BACKWARD")
    assert client.get_compatibility(SUBJECT) == "BACKWARD"
    assert client.test_compatibility(SUBJECT, added) is True
    client.register_schema(SUBJECT, added)
    assert client.get_versions(SUBJECT) == [1, 2]


def errors():
    try:
        client.get_version("no-such-subject", 1)
        raise AssertionError("expected 40401")
    except SchemaRegistryError as e:
        assert e.error_code == 40401, e


def serializer_round_trip():
    schema_str = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})
    ser = JSONSerializer(schema_str, client, conf={"auto.register.schemas": True})
    ctx = SerializationContext("numbers", MessageField.VALUE)
    data = ser({"n": 42}, ctx)
    assert data[0] == 0, "magic byte"
    schema_id = int.from_bytes(data[1:5], "big")
    assert client.get_schema(schema_id).schema_type == "JSON"
    de = JSONDeserializer(schema_str, schema_registry_client=client)
    assert de(data, ctx) == {"n": 42}
    assert "numbers-value" in client.get_subjects()


def deletes():
    assert client.delete_version(SUBJECT, 2) == 2
    assert client.get_versions(SUBJECT) == [1]
    assert client.delete_subject(SUBJECT) == [1]
    assert client.delete_subject(SUBJECT, permanent=True) == [1, 2]


for name, fn in [("register", register), ("reads", reads), ("compatibility", compatibility), ("errors", errors),
                 ("serializer_round_trip", serializer_round_trip), ("deletes", deletes)]:
    check(name, fn)

failed = [r for r in results if r[1]]
for name, err in failed:
    print(f"FAIL {name}: {err}")
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
