// Maintenance tool (not run by the tests): cut the types of some endpoint
// ids out of fal-js's libs/client/src/types/endpoints.ts, with every type
// they reference, into a small file kept as test data.
//
//   git -C fal-js show <commit>:libs/client/src/types/endpoints.ts > e.ts
//   node extract-fal-js.mjs e.ts <commit> <date> id... > fal-js-<commit>.ts
//
// The declarations are copied verbatim (JSDoc included: the schema
// generator reads it); only the EndpointTypeMap is cut down to the ids
// asked for.  Uses the TypeScript compiler's parser.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../package.json', import.meta.url));
const ts = require('typescript');

const [file, commit, date, ...ids] = process.argv.slice(2);
if (!file || !commit || !date || ids.length === 0) {
	console.error('usage: extract-fal-js.mjs endpoints.ts commit date id...');
	process.exit(2);
}
const text = fs.readFileSync(file, 'utf8');
const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
const decls = new Map();	// name -> node
let map = null;
for (const st of sf.statements) {
	if (!ts.isTypeAliasDeclaration(st) && !ts.isInterfaceDeclaration(st))
		continue;
	if (st.name.text === 'EndpointTypeMap')
		map = st;
	else
		decls.set(st.name.text, st);
}
if (map === null)
	throw new Error('no EndpointTypeMap in ' + file);
const entries = new Map();
for (const m of map.type.members) {
	const key = m.name.text;
	if (ids.includes(key))
		entries.set(key, m);
}
for (const id of ids)
	if (!entries.has(id))
		throw new Error(`${id} is not in the EndpointTypeMap of ${file}`);

// Every type name reachable from the entries, in file order.
const want = new Set();
function visit(node) {
	if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
		const n = node.typeName.text;
		if (decls.has(n) && !want.has(n)) {
			want.add(n);
			visit(decls.get(n));
		}
	}
	ts.forEachChild(node, visit);
}
for (const m of entries.values())
	visit(m);

const out = [];
out.push('/*');
out.push(' * Input and output types of fal endpoint ids that the pinned npm');
out.push(' * release of @fal-ai/client does not carry yet, cut verbatim out of');
out.push(' * the client\'s repository (tests data, never compiled into anything):');
out.push(' *');
out.push(' *   source  https://github.com/fal-ai/fal-js');
out.push(' *   file    libs/client/src/types/endpoints.ts');
out.push(` *   commit  ${commit} (${date})`);
out.push(' *   tool    tests/fakes/contracts/extract-fal-js.mjs');
out.push(' *');
out.push(' * Only EndpointTypeMap is cut down to these ids; every declaration below');
out.push(' * it is the repository\'s text, JSDoc included.');
out.push(' */');
out.push('');
for (const st of sf.statements)
	if ((ts.isTypeAliasDeclaration(st) || ts.isInterfaceDeclaration(st)) &&
	    want.has(st.name.text))
		out.push(text.slice(st.getFullStart(), st.getEnd()).replace(/^\n+/, ''));
out.push('');
out.push('export type EndpointTypeMap = {');
for (const id of ids)
	out.push(text.slice(entries.get(id).getFullStart(),
	    entries.get(id).getEnd()).replace(/^\n+/, ''));
out.push('};');
process.stdout.write(out.join('\n') + '\n');
