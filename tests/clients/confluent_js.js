// Confluent's own JavaScript client (@confluentinc/schemaregistry) against schemagate: data
// contracts (metadata and a rule set), look-up by metadata, the 40408 of a subject without its
// own config, compatibility, and JSON serialization in the wire format with the version picked
// by metadata and its CEL rule run by the client.
// Usage: node confluent_js.js http://127.0.0.1:PORT   Prints 'N passed, M failed'.
const {
  SchemaRegistryClient, JsonSerializer, JsonDeserializer, SerdeType,
} = require('@confluentinc/schemaregistry');
const { CelExecutor } = require('@confluentinc/schemaregistry/dist/rules/cel/cel-executor');

CelExecutor.register();

const url = process.argv[2];
const client = new SchemaRegistryClient({ baseURLs: [url] });
const subject = 'payments-js-value';

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
async function errorCode(promise) {
  try {
    await promise;
  } catch (e) {
    return e.errorCode;
  }
  return 'no error';
}

function payment(title, major, required = ['amount']) {
  return {
    schemaType: 'JSON',
    schema: JSON.stringify({
      type: 'object',
      title,
      required,
      properties: { amount: { type: 'number' }, note: { type: 'string' } },
    }),
    metadata: { properties: { major, owner: 'payments' } },
    ruleSet: {
      domainRules: [{
        name: 'positiveAmount', kind: 'CONDITION', mode: 'WRITE', type: 'CEL',
        expr: 'message.amount > 0', onFailure: 'ERROR',
      }],
    },
  };
}

let id1;

(async () => {
  await check('register with metadata and a rule set', async () => {
    id1 = await client.register(subject, payment('p1', '1'));
    assert(id1 >= 1, `id ${id1}`);
    const again = await client.registerFullResponse(subject, payment('p1', '1'));
    assert(again.id === id1, `idempotent: ${JSON.stringify(again)}`);
    const v1 = await client.getLatestSchemaMetadata(subject);
    assert(v1.metadata.properties.major === '1', JSON.stringify(v1));
    assert(v1.ruleSet.domainRules[0].name === 'positiveAmount', JSON.stringify(v1));
  });
  await check('40408 for a subject without its own config', async () => {
    const code = await errorCode(client.getCompatibility(subject));
    assert(code === 40408, `error code ${code}`);
    await client.updateCompatibility(subject, 'BACKWARD');
    assert((await client.getCompatibility(subject)) === 'BACKWARD');
  });
  await check('look up by metadata', async () => {
    await client.register(subject, payment('p2', '2'));
    const one = await client.getLatestWithMetadata(subject, { major: '1' });
    assert(one.version === 1 && one.id === id1, JSON.stringify(one));
    const two = await client.getLatestWithMetadata(subject, { major: '2' });
    assert(two.version === 2, JSON.stringify(two));
    const code = await errorCode(client.getLatestWithMetadata(subject, { major: '9' }));
    assert(code === 40403, `error code ${code}`);
  });
  await check('look up a schema and its versions', async () => {
    const found = await client.getVersion(subject, payment('p1', '1'));
    assert(found === 1, `version ${found}`);
    const byId = await client.getBySubjectAndId(subject, id1);
    assert(JSON.parse(byId.schema).title === 'p1', JSON.stringify(byId));
    assert((await client.getAllVersions(subject)).join() === '1,2');
  });
  await check('compatibility', async () => {
    assert((await client.testCompatibility(subject, 2, payment('p3', '2'))) === true);
    const breaking = payment('p3', '2', ['amount', 'note']);
    assert((await client.testCompatibility(subject, 2, breaking)) === false);
  });
  await check('serialize by metadata and deserialize, in the wire format', async () => {
    const ser = new JsonSerializer(client, SerdeType.VALUE, {
      autoRegisterSchemas: false, useLatestWithMetadata: { major: '1' }, validate: true,
    });
    const bytes = await ser.serialize('payments-js', { amount: 5, note: 'ok' });
    assert(bytes[0] === 0 && bytes.readInt32BE(1) === id1, 'wire format header with version 1\'s id');
    const de = new JsonDeserializer(client, SerdeType.VALUE, {});
    const back = await de.deserialize('payments-js', bytes);
    assert(back.amount === 5 && back.note === 'ok', JSON.stringify(back));
    let refused = '';
    try {
      await ser.serialize('payments-js', { amount: -1 });
    } catch (e) {
      refused = String(e.message);
    }
    assert(refused.includes('positiveAmount'), `the client ran the stored CEL rule: ${refused}`);
  });
  const failed = results.filter(([, e]) => e);
  for (const [name, e] of failed) console.log(`FAIL ${name}: ${e}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
})();
