#!/usr/bin/env python3
# Maintenance tool (not run by the tests): cut the operations synthforge
# calls out of Venice's published OpenAPI document (veniceai/api-docs,
# swagger.yaml), with every component schema they reference, into a JSON
# file kept as test data.  Needs python3-yaml.
#
#   git -C api-docs show <commit>:swagger.yaml > swagger.yaml
#   python3 extract-venice.py swagger.yaml <commit> <date> > venice-<commit>.json
#
# The schemas are copied as they are; nothing is edited.
import json
import sys

import yaml

PATHS = ['/image/generate', '/audio/speech', '/audio/queue',
         '/audio/retrieve', '/audio/complete', '/video/queue',
         '/video/retrieve', '/video/complete']

src, commit, date = sys.argv[1:4]
doc = yaml.safe_load(open(src))
comps = doc['components']['schemas']
want = {}


def walk(node):
    if isinstance(node, dict):
        ref = node.get('$ref')
        if isinstance(ref, str) and ref.startswith('#/components/schemas/'):
            name = ref.rsplit('/', 1)[1]
            if name not in want:
                want[name] = comps[name]
                walk(comps[name])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)


paths = {}
for p in PATHS:
    op = doc['paths'][p]['post']
    keep = {k: op[k] for k in ('operationId', 'summary', 'requestBody',
                               'responses') if k in op}
    paths[p] = {'post': keep}
    walk(keep)
out = {
    'x-source': {
        'repository': 'https://github.com/veniceai/api-docs',
        'file': 'swagger.yaml',
        'commit': commit,
        'date': date,
        'info.version': doc['info']['version'],
        'tool': 'tests/fakes/contracts/extract-venice.py',
        'note': 'the operations synthforge calls and the component '
                'schemas they reference, copied unchanged',
    },
    'openapi': doc.get('openapi'),
    'paths': paths,
    'components': {'schemas': dict(sorted(want.items()))},
}
# YAML turns some examples into dates: print them back as ISO text.
json.dump(out, sys.stdout, indent=1, default=lambda o: o.isoformat())
sys.stdout.write('\n')
