// Validates records (their front matter as JSON) against folio's JSON
// Schemas with ajv in strict mode, for tests/testsuite/schemas.rs.
//
// usage: node validate.js NODE_MODULES SCHEMA_DIR INPUT.json
// INPUT is [{"schema": "invoice.schema.json", "data": {...}}, ...]; prints
// [{"valid": bool, "errors": [...]}, ...] in the same order. Every schema in
// SCHEMA_DIR must compile in strict mode, or the script fails (exit 1).
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, schemaDir, input] = process.argv.slice(2);
const Ajv2020 = require(path.join(modules, "ajv/dist/2020")).default;
const addFormats = require(path.join(modules, "ajv-formats"));

const ajv = new Ajv2020({
  strict: true,
  allErrors: true,
  // ajv divides floats for `multipleOf`, so 2400.01 is not a multiple of
  // 0.01 without a tolerance; the schemas mean the exact decimal rule.
  multipleOfPrecision: 9,
});
addFormats(ajv);

const validators = {};
for (const name of fs.readdirSync(schemaDir).filter((n) => n.endsWith(".json")).sort()) {
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"));
  try {
    validators[name] = ajv.compile(schema);
  } catch (e) {
    console.error(`${name} does not compile in ajv's strict mode: ${e.message}`);
    process.exit(1);
  }
}

const verdicts = JSON.parse(fs.readFileSync(input, "utf8")).map(({ schema, data }) => {
  const validate = validators[schema];
  if (!validate) {
    console.error(`no schema ${schema} in ${schemaDir}`);
    process.exit(1);
  }
  const valid = validate(data);
  return { valid, errors: (validate.errors || []).map((e) => `${e.instancePath} ${e.message}`) };
});
console.log(JSON.stringify(verdicts));
