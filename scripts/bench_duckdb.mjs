// The DuckDB side of `make bench`: the work of `jianxi check` on a flat CSV
// done by DuckDB at one thread: read the file with typed columns (district,
// period as text, 1-13 BIGINT, 14 DECIMAL(18,4)) and count the rows that
// break any of R1-R6. Prints "ROWS FAILING"; the query's own time goes to
// stderr. @duckdb/node-api comes from npm, installed by scripts/bench.sh
// into the folder given as NODE_DIR (never committed).
//
// usage: node scripts/bench_duckdb.mjs NODE_DIR FILE
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeDir, file] = process.argv.slice(2);
if (!nodeDir || !file) {
	console.error('usage: node bench_duckdb.mjs NODE_DIR FILE');
	process.exit(2);
}
const require = createRequire(path.resolve(nodeDir, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

// an array, not an object: JavaScript puts integer-like keys ("1") first
const columns = [['district', 'VARCHAR'], ['period', 'VARCHAR']];
for (let k = 1; k <= 13; k++) columns.push([String(k), 'BIGINT']);
columns.push(['14', 'DECIMAL(18,4)']);
const columnsSql = '{' + columns.map(([n, t]) => `'${n}': '${t}'`).join(', ') + '}';
const fileSql = "'" + file.replaceAll("'", "''") + "'";

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
const t0 = performance.now();
const reader = await conn.runAndReadAll(`
	SELECT count(*) AS n_rows,
	       count(*) FILTER (WHERE NOT ("1" >= "2" AND "3" >= "4" AND "5" >= "6"
	                                   AND "6" >= "7" AND "8" >= "9" + "11"
	                                   AND "9" >= "10")) AS failing
	FROM read_csv(${fileSql}, header = true, delim = ',', quote = '"',
	              auto_detect = false, columns = ${columnsSql})`);
const t1 = performance.now();
const [[rows, failing]] = reader.getRowsJS();
console.log(`${rows} ${failing}`);
console.error(`duckdb query: ${((t1 - t0) / 1000).toFixed(3)} s`);
conn.closeSync?.();
instance.closeSync?.();
