// The peer benchmark's workload in DuckDB (npm @duckdb/node-api, in-memory database), with the
// definitions vivalink uses (src/join, src/analysis), so that the numbers must agree:
//   1. identity resolution: the CRM's e-mail -> Entra object id through the user export (mail,
//      userPrincipalName, every smtp: proxy address; trimmed, lower case); an address two ids
//      claim is refused;
//   2. the CRM without exact duplicate rows, Revenue summed per person and Viva week (the week's
//      Sunday), inner-joined with the person query on (person, week);
//   3. `groups`: per Organization, the mean / sample sd / median / min / max over persons of the
//      person means of Revenue and of Collaboration_hours, groups of fewer than 5 persons left
//      out; or `iv`: the information value of After_hours_collaboration_hours for Revenue > 5000
//      with 5 bins (type-6 quantile cuts, WOE = ln((n1/N1)/(n0/N0)), 0 for an empty class).
// Prints the result as JSON on stdout (bench/peers/compare.py checks it against the others).
//   node bench/peers/duckdb_workload.mjs groups|iv DATA_DIR [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';

const [workload, dir, threads] = process.argv.slice(2);
if (!['groups', 'iv'].includes(workload) || !dir) {
  console.error('usage: duckdb_workload.mjs groups|iv DATA_DIR [THREADS]');
  process.exit(2);
}
const file = (name) => path.join(dir, name).replaceAll("'", "''");
const options = threads ? { threads: String(threads) } : {};
const instance = await DuckDBInstance.create(':memory:', options);
const db = await instance.connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJson();

await db.run(`
  CREATE TABLE addr AS
  WITH users AS (SELECT * FROM read_json_auto('${file('users.jsonl')}')),
  a AS (
    SELECT lower(trim(CAST(id AS VARCHAR))) AS pid, lower(trim(mail)) AS email FROM users WHERE mail IS NOT NULL
    UNION ALL
    SELECT lower(trim(CAST(id AS VARCHAR))), lower(trim(userPrincipalName)) FROM users
      WHERE userPrincipalName IS NOT NULL
    UNION ALL
    SELECT lower(trim(CAST(id AS VARCHAR))), lower(trim(substr(trim(p), 6)))
      FROM (SELECT id, unnest(proxyAddresses) AS p FROM users)
      WHERE lower(trim(p)) LIKE 'smtp:%'
  )
  SELECT email, min(pid) AS pid FROM a WHERE email <> '' AND pid <> ''
  GROUP BY email HAVING count(DISTINCT pid) = 1`);
await db.run(`
  CREATE TABLE partner AS
  WITH crm AS (SELECT DISTINCT * FROM read_csv('${file('crm.csv')}', header = true))
  SELECT a.pid, CAST(c.Week AS DATE) - CAST(dayofweek(CAST(c.Week AS DATE)) AS INTEGER) AS week,
         sum(c.Revenue) AS Revenue
  FROM crm c JOIN addr a ON a.email = lower(trim(c.Email))
  GROUP BY ALL`);
await db.run(`
  CREATE TABLE joined AS
  WITH pq AS (
    SELECT lower(trim(CAST(PersonId AS VARCHAR))) AS pid, CAST(MetricDate AS DATE) AS d, Organization,
           Collaboration_hours, After_hours_collaboration_hours
    FROM read_csv('${file('person_query.csv')}', header = true))
  SELECT pq.*, p.Revenue FROM pq
  JOIN partner p ON p.pid = pq.pid AND p.week = pq.d - CAST(dayofweek(pq.d) AS INTEGER)`);

const [counts] = await rows(
  'SELECT count(*) AS joined_rows, count(DISTINCT pid) AS matched_persons FROM joined');
const out = {
  tool: threads ? `duckdb (${threads} thread${threads === '1' ? '' : 's'})` : 'duckdb',
  workload,
  joined_rows: Number(counts.joined_rows),
  matched_persons: Number(counts.matched_persons),
};

if (workload === 'groups') {
  out.groups = [];
  for (const metric of ['Revenue', 'Collaboration_hours']) {
    const result = await rows(`
      WITH pm AS (
        SELECT Organization AS g, pid, avg(${metric}) AS v FROM joined
        WHERE Organization IS NOT NULL AND ${metric} IS NOT NULL GROUP BY ALL)
      SELECT '${metric}' AS metric, g AS "group", count(*) AS n, avg(v) AS mean,
             stddev_samp(v) AS sd, quantile_cont(v, 0.5) AS median, min(v) AS min, max(v) AS max
      FROM pm GROUP BY g HAVING count(*) >= 5 ORDER BY g`);
    for (const r of result) {
      out.groups.push({ metric: r.metric, group: r.group, n: Number(r.n), mean: r.mean, sd: r.sd,
                        median: r.median, min: r.min, max: r.max });
    }
  }
} else {
  // Cuts exactly as analysis::IvCuts computes them (same operations in the same order).
  const [iv] = await rows(`
    WITH d AS (
      SELECT After_hours_collaboration_hours AS x, CAST(Revenue > 5000 AS INTEGER) AS y
      FROM joined WHERE After_hours_collaboration_hours IS NOT NULL AND Revenue IS NOT NULL),
    s AS (SELECT x, row_number() OVER (ORDER BY x) - 1 AS i FROM d),
    n AS (SELECT CAST(count(*) AS DOUBLE) AS n FROM d),
    k AS (SELECT (n + 1) * (CAST(k AS DOUBLE) / 5.0) AS a, n FROM range(1, 5) t(k), n),
    j AS (SELECT a, floor(least(greatest(a, 1.0), n - 1)) AS j FROM k),
    c AS (SELECT least(greatest(a - j, 0.0), 1.0) AS g, CAST(j AS BIGINT) AS j FROM j),
    cuts AS (
      SELECT DISTINCT (1 - c.g) * lo.x + c.g * hi.x AS cut
      FROM c JOIN s lo ON lo.i = c.j - 1 JOIN s hi ON hi.i = c.j),
    binned AS (SELECT (SELECT count(*) FROM cuts WHERE cut <= d.x) AS bin, y FROM d),
    bins AS (SELECT bin, count(*) AS n, sum(y) AS n1 FROM binned GROUP BY bin),
    totals AS (SELECT sum(n1) AS n1, sum(n) - sum(n1) AS n0, sum(n) AS n FROM bins),
    woe AS (
      SELECT b.bin, b.n, b.n1,
             CASE WHEN b.n1 > 0 AND b.n - b.n1 > 0 AND t.n1 > 0 AND t.n0 > 0
                  THEN ln((b.n1 / t.n1) / ((b.n - b.n1) / t.n0)) ELSE 0 END AS woe,
             b.n1 / t.n1 - (b.n - b.n1) / t.n0 AS diff
      FROM bins b, totals t)
    SELECT (SELECT n FROM totals) AS rows_used, (SELECT n1 FROM totals) AS n1,
           (SELECT n0 FROM totals) AS n0, sum(woe * diff) AS iv,
           list({'n': n, 'n1': n1, 'woe': woe} ORDER BY bin) AS bins
    FROM woe`);
  out.rows_used = Number(iv.rows_used);
  out.n1 = Number(iv.n1);
  out.n0 = Number(iv.n0);
  out.iv = iv.iv;
  out.bins = iv.bins.map((b) => ({ n: Number(b.n), n1: Number(b.n1), woe: b.woe }));
}
console.log(JSON.stringify(out));
