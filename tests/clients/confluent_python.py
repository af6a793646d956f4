"""The Python confluent-kafka SchemaRegistryClient and JSON serializer against schemagate.

Usage: python confluent_python.py http://127.0.0.1:PORT
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import json
import pathlib
import sys

from confluent_kafka.schema_registry import (Metadata, MetadataProperties, Rule, RuleKind, RuleMode, RuleSet,
                                             Schema, SchemaRegistryClient)
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

CelExecutor.register()

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


ORDERS = "orders-value"


def order(title, major, rules=True):
    schema = json.dumps({"type": "object", "title": title, "required": ["amount"],
                         "properties": {"amount": {"type": "number"}, "note": {"type": "string"}}})
    rule = Rule("positiveAmount", None, RuleKind.CONDITION, RuleMode.WRITE, "CEL", None, None,
                "message.amount > 0", None, "ERROR", False)
    return Schema(schema, "JSON", metadata=Metadata(None, MetadataProperties({"major": major}), None),
                  rule_set=RuleSet(None, [rule]) if rules else None)


def data_contracts():
    # get_compatibility() on a subject without its own config fails with 40408, as on Confluent
    client.register_schema(ORDERS, order("v1", "1"))
    try:
        client.get_compatibility(ORDERS)
        raise AssertionError("expected 40408")
    except SchemaRegistryError as e:
        assert e.error_code == 40408, e
    client.set_compatibility(ORDERS, "BACKWARD")
    v2 = client.register_schema_full_response(ORDERS, order("v2", "2"))
    assert client.get_versions(ORDERS) == [1, 2]
    latest = client.get_latest_with_metadata(ORDERS, {"major": "1"})
    assert latest.version == 1, latest
    assert latest.schema.metadata.properties.properties == {"major": "1"}
    assert latest.schema.rule_set.domain_rules[0].expr == "message.amount > 0"
    assert client.get_latest_with_metadata(ORDERS, {"major": "2"}).schema_id == v2.schema_id
    # the serializer picks the version by metadata and runs its CEL rule on the client
    ser = JSONSerializer(None, client, conf={"auto.register.schemas": False,
                                             "use.latest.with.metadata": {"major": "1"}})
    ctx = SerializationContext("orders", MessageField.VALUE)
    data = ser({"amount": 5}, ctx)
    v1_id = client.get_version(ORDERS, 1).schema_id
    assert int.from_bytes(data[1:5], "big") == v1_id, "serialized with version 1"
    try:
        ser({"amount": -1}, ctx)
        raise AssertionError("the CEL rule let a negative amount through")
    except SerializationError as e:
        # the client's RuleConditionError names the failed expression
        cause = repr(e.__cause__ or e.__context__)
        assert "RuleConditionError" in cause and "message.amount > 0" in cause, cause
    # all versions: a required field breaks backward against every version
    breaking = order("v3", "2")
    breaking = Schema(json.dumps({**json.loads(breaking.schema_str), "required": ["amount", "note"]}), "JSON",
                      metadata=breaking.metadata, rule_set=breaking.rule_set)
    assert client.test_compatibility_all_versions(ORDERS, breaking) is False
    assert client.test_compatibility_all_versions(ORDERS, order("v3", "2")) is True


for name, fn in [("register", register), ("reads", reads), ("compatibility", compatibility), ("errors", errors),
                 ("serializer_round_trip", serializer_round_trip), ("deletes", deletes),
                 ("data_contracts", data_contracts)]:
    check(name, fn)

failed = [r for r in results if r[1]]
for name, err in failed:
    print(f"FAIL {name}: {err}")
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
