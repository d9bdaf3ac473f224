// A bank stack that is not C++: Node.js with @grpc/grpc-js and
// @grpc/proto-loader (pinned in package-lock.json), built from the .proto
// files alone, calls a real fraudgate server over mutual TLS with the
// development certificates: UploadReports as police, ScreenTransfer as a
// bank, QueryHits as an analyst, and a call its role may not make.
// Usage: node interop.js HOST:PORT CERT_DIR PROTO_DIR
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [address, certs, protoDir] = process.argv.slice(2);
const definition = loader.loadSync('fraudgate/v1/fraudgate.proto', {
  includeDirs: [protoDir],
  keepCase: true,  // the wire field names
  longs: String,
  enums: String,
  defaults: true,
});
const v1 = grpc.loadPackageDefinition(definition).fraudgate.v1;

function credentials(role) {
  const file = (name) => fs.readFileSync(path.join(certs, name));
  return grpc.credentials.createSsl(
      file('ca.pem'), file(`${role}-key.pem`), file(`${role}.pem`));
}

function deadline() {
  return new Date(Date.now() + 10000);
}

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, {deadline: deadline()},
                   (err, response) => (err ? reject(err) : resolve(response)));
  });
}

function upload(client, reports) {
  return new Promise((resolve, reject) => {
    const stream = client.UploadReports(
        {deadline: deadline()},
        (err, summary) => (err ? reject(err) : resolve(summary)));
    for (const report of reports) stream.write(report);
    stream.end();
  });
}

async function main() {
  const account = {kind: 'BANK_ACCOUNT', issuer: '970436',
                   value: '0071001234567'};
  const police = new v1.ReportService(address, credentials('police'));
  const summary = await upload(police, [{
    report_id: 'NODE-1',
    agency: 'PA05 CA Kon Tum',
    reported_at: {seconds: String(Math.floor(Date.now() / 1000) - 86400)},
    category: 'EXTORTION_DEEPFAKE',
    confidence: 'CONFIRMED',
    identifiers: [account],
    victim_count: 2,
  }]);
  assert.equal(summary.reports_accepted, 1);
  assert.equal(summary.identifiers_added, 1);
  assert.equal(summary.list_version, '1');

  const bank = new v1.ScreeningService(address, credentials('bank'));
  const screened = await call(bank, 'ScreenTransfer', {
    transfer_id: 'node-tr-1',
    amount: '5000000',
    currency: 'VND',
    channel: 'MOBILE',
    beneficiary: {bank: 'Vietcombank', account: '0071 0012 34567'},
  });
  assert.equal(screened.decision, 'DECISION_BLOCK');
  assert.equal(screened.list_version, '1');
  assert.ok(screened.reasons.length >= 1);
  assert.match(screened.customer_message, /\S/);

  const analyst = new v1.HistoryService(address, credentials('analyst'));
  const hits = await call(analyst, 'QueryHits',
                          {identifier: account, page_size: 10});
  assert.equal(hits.hits.length, 1);
  assert.equal(hits.hits[0].hit_id, screened.hit_id);
  assert.equal(hits.hits[0].decision, 'DECISION_BLOCK');

  // A bank certificate may not search the history.
  const bankHistory = new v1.HistoryService(address, credentials('bank'));
  await assert.rejects(call(bankHistory, 'QueryHits', {page_size: 1}),
                       (err) => err.code === grpc.status.PERMISSION_DENIED);

  console.log(`interop OK: uploaded NODE-1 (list_version ${
      summary.list_version}), screened ${screened.decision} score ${
      screened.score}, hit ${screened.hit_id} found by QueryHits`);
  for (const client of [police, bank, analyst, bankHistory]) client.close();
}

main().catch((err) => {
  console.error('interop FAILED:', err);
  process.exit(1);
});
