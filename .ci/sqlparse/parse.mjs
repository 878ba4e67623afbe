// node --import ./register.mjs parse.mjs DIALECT FILE.json
//
// Parses every statement of FILE.json (a JSON array of SQL statements that
// segql generated for DIALECT) with that engine's grammar, prints each
// statement that does not parse with the parser's message, and exits 1 if
// any does not. dt-sql-parser's Trino and Spark parsers are generated from
// the grammars of Trino and Spark themselves.
import fs from 'node:fs';

const dt = await import('dt-sql-parser');
const parsers = { trino: dt.TrinoSQL, spark: dt.SparkSQL };
const [dialect, file] = process.argv.slice(2);
const Parser = parsers[dialect];
if (!Parser) {
  console.error(`parse.mjs: no parser for ${dialect} (have: ${Object.keys(parsers).join(', ')})`);
  process.exit(2);
}
const stmts = JSON.parse(fs.readFileSync(file, 'utf8'));
if (stmts.length === 0) {
  console.error(`parse.mjs: ${file} holds no statements`);
  process.exit(1);
}
const parser = new Parser();
let bad = 0;
for (const s of stmts) {
  const errs = parser.validate(s);
  if (errs.length > 0) {
    bad++;
    if (bad <= 10) {
      console.log(`${dialect}: does not parse: ${s}\n  ${errs.map((e) => `column ${e.startColumn}: ${e.message}`).join('\n  ')}`);
    }
  }
}
console.log(`${dialect}: ${stmts.length - bad} of ${stmts.length} statements parse`);
process.exit(bad > 0 ? 1 : 0);
