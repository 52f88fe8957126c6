// DuckDB's side of bench/ingest.sh: load gzip JSON lines into a DuckDB database file with
// CREATE TABLE AS SELECT * FROM read_json(...); prints the row count.
//   node bench/duckdb_load.mjs ROWS.jsonl.gz OUT.db [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [input, out, threads] = process.argv.slice(2);
const options = threads ? { threads: String(threads) } : {};
const instance = await DuckDBInstance.create(out, options);
const db = await instance.connect();
await db.run(`CREATE TABLE rows AS SELECT * FROM read_json('${input.replaceAll("'", "''")}', format = 'newline_delimited')`);
await db.run('CHECKPOINT');
const reader = await db.runAndReadAll('SELECT COUNT(*) FROM rows');
console.log(String(reader.getRows()[0][0]));
