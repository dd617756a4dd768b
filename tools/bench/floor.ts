// The floor for the webhook benchmark: a bare node:https server that reads the body and answers a
// fixed AdmissionReview. Usage: node floor.js CERT KEY; prints its port.
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [cert, key] = process.argv.slice(2);
if (cert === undefined || key === undefined) process.exit(2);
const answer = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'fixed', allowed: true } });
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.2' }, (req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer));
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address !== null ? address.port : 0);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
