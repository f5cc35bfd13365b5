// Validates an OpenAPI document with @apidevtools/swagger-parser: against the OpenAPI
// schema of its version and the parser's own spec checks, with every $ref resolved.
// Usage: node validate-openapi.js openapi.json
"use strict";
const SwaggerParser = require("@apidevtools/swagger-parser");

SwaggerParser.validate(process.argv[2], { validate: { schema: true, spec: true } })
  .then((api) => console.log(`valid: ${api.info.title}, OpenAPI ${api.openapi}`))
  .catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
