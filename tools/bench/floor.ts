// The floors of the webhook benchmark in Node: a bare node:https server that reads the body and
// answers a fixed AdmissionReview (the floor the targets are set against); with --parse it also
// collects the body and runs JSON.parse on it, the one step every Node webhook must add to that.
// Usage: node floor.js [--parse] CERT KEY; prints its port.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const parse = process.argv[2] === '--parse';
const [cert, key] = process.argv.slice(parse ? 3 : 2);
if (cert === undefined || key === undefined) process.exit(2);
const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks: Buffer[] = [];
  if (parse) req.on('data', (chunk: Buffer) => chunks.push(chunk));
  else req.resume();
  req.on('end', () => {
    if (parse) JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address !== null ? address.port : 0);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
