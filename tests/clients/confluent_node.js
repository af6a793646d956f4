// The npm @kafkajs/confluent-schema-registry client (3.x) against schemagate: registers JSON
// schemas (draft 2020-12, validated with an Ajv 2020 instance), encodes and decodes payloads
// in the Confluent wire format, and sees a breaking change refused.
// Usage: node confluent_node.js http://127.0.0.1:PORT   Prints 'N passed, M failed'.
const fs = require('fs');
const path = require('path');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const host = process.argv[2];
const root = path.resolve(__dirname, '..', '..');
const widget = JSON.parse(fs.readFileSync(path.join(root, 'schemas/widgets/WidgetCreated.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const registry = new SchemaRegistry({ host }, { [SchemaType.JSON]: { ajvInstance: ajv } });

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, null]);
  } catch (e) {
    results.push([name, e && e.stack ? e.stack : String(e)]);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg || 'assertion failed');
}

const subject = 'widgets.WidgetCreated-node';
const event = {
  schema_version: '1.0.0',
  event_id: '123e4567-e89b-12d3-a456-426614174000',
  occurred_at: '2026-11-24T12:00:00Z',
  widget_id: '123e4567-e89b-12d3-a456-426614174001',
  name: 'sprocket',
  color: 'blue',
};
let id;

(async () => {
  await check('register', async () => {
    ({ id } = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(widget) }, { subject }));
    assert(id >= 1, `id ${id}`);
    const again = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(widget) }, { subject });
    assert(again.id === id, 'idempotent');
    assert((await registry.getLatestSchemaId(subject)) === id, 'latest id');
    assert((await registry.getRegistryId(subject, 1)) === id, 'id of version 1');
  });
  await check('encode and decode', async () => {
    const buf = await registry.encode(id, event);
    assert(buf[0] === 0 && buf.readInt32BE(1) === id, 'wire format header');
    const back = await registry.decode(buf);
    assert(JSON.stringify(back) === JSON.stringify(event), 'round trip');
  });
  await check('invalid payload refused by the registered schema', async () => {
    let threw = false;
    try {
      await registry.encode(id, { ...event, color: 'purple' });
    } catch (e) {
      threw = true;
    }
    assert(threw, 'encode of an invalid payload must throw');
  });
  await check('breaking change refused', async () => {
    const broken = JSON.parse(JSON.stringify(widget));
    broken.properties.schema_version.const = '1.1.0';
    broken.properties.name.maxLength = 10;
    let status;
    try {
      await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(broken) }, { subject });
    } catch (e) {
      status = e.status || (e.originalError && e.originalError.status) || String(e);
      assert(String(e.message).includes('max-length-decreased'), e.message);
    }
    assert(status === 409, `status ${status}`);
  });
  const failed = results.filter(([, e]) => e);
  for (const [name, e] of failed) console.log(`FAIL ${name}: ${e}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
})();
