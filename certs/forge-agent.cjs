// The parts of node-forge the agent uses (X.509 certificates and CSRs, PEM, ASN.1, RSA public keys,
// SHA-1/SHA-256 for key identifiers), instead of the whole library (TLS, SSH, PKCS#12, …). Used only by
// the agent bundle through an esbuild alias (build.config.ts); the bridge and the tests load
// node-forge whole. The agent's end-to-end tests run through this bundle.
const forge = require('../node_modules/node-forge/lib/forge');
require('../node_modules/node-forge/lib/x509');
require('../node_modules/node-forge/lib/sha1');
require('../node_modules/node-forge/lib/sha256');
require('../node_modules/node-forge/lib/util');
module.exports = forge;
