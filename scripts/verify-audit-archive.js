// Offline check of an audit archive (README "Checking an archive offline"), no dependencies:
//   node scripts/verify-audit-archive.js audit.ndjson checkpoints.json
// Reads the export whole: for very large archives, split it per chain first (jq select(.chain == N)).
const { createHash, createPublicKey, verify } = require('node:crypto');
const { readFileSync } = require('node:fs');
const canonical = (v) =>
  v === null || typeof v !== 'object' ? JSON.stringify(v)
  : Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
  : `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
const [ndjson, checkpointsFile] = process.argv.slice(2);
const heads = new Map(); // chain -> hash of its last row so far
const bySeq = new Map(); // seq -> { chain, hash }, for the checkpoints
for (const line of readFileSync(ndjson, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  const fields = {
    seq: r.seq, occurredAt: r.occurredAt, actorType: r.actor.type, actorId: r.actor.id, actorName: r.actor.name,
    actorIssuer: r.actor.issuer, action: r.action, targetType: r.targetType, targetId: r.targetId, outcome: r.outcome,
    reason: r.reason, requestId: r.requestId, sourceIp: r.sourceIp, changes: r.changes, metadata: r.metadata,
    ...(r.chain === 0 ? {} : { chain: r.chain }), // chain 0 is hashed without the field
  };
  const expectedPrev = heads.get(r.chain) ?? '0'.repeat(64);
  if (r.prevHash !== expectedPrev) throw new Error(`seq ${r.seq} (chain ${r.chain}): prevHash does not link`);
  const hash = createHash('sha256').update(r.prevHash + canonical(fields)).digest('hex');
  if (hash !== r.hash) throw new Error(`seq ${r.seq} (chain ${r.chain}): hash does not match the row`);
  heads.set(r.chain, r.hash);
  bySeq.set(r.seq, { chain: r.chain, hash: r.hash });
}
const page = JSON.parse(readFileSync(checkpointsFile, 'utf8'));
const key = createPublicKey(page.publicKey);
for (const c of page.items) {
  const v2 = `audit-checkpoint:v2|${c.chain}|${c.seq}|${c.hash}|${c.createdAt}`;
  const v1 = `audit-checkpoint:v1|${c.seq}|${c.hash}|${c.createdAt}`;
  const sig = Buffer.from(c.signature, 'base64');
  const signed = verify(null, Buffer.from(v2), key, sig) || (c.chain === 0 && verify(null, Buffer.from(v1), key, sig));
  if (!signed) throw new Error(`checkpoint ${c.seq}: bad signature`);
  const row = bySeq.get(c.seq);
  if (!row) { console.log(`checkpoint ${c.seq} (chain ${c.chain}) is past this archive, or its row is missing`); continue; }
  if (row.chain !== c.chain || row.hash !== c.hash) throw new Error(`checkpoint ${c.seq}: archive disagrees`);
}
console.log(`ok: ${bySeq.size} rows in ${heads.size} chains, ${page.items.length} checkpoints`);
