// The published OpenAPI document (GET /api/openapi.json) is generated from the route table:
// it lists exactly the routes the server serves (all but /healthz and /metrics, operations'
// probes rather than the API), it is structurally valid OpenAPI 3.1, and what it says a
// route accepts is what the route accepts.
import t from 'tap';
import { http, startTestServer, type TestServer } from './support/harness.ts';

/** Served, but not the API: a load balancer's probe and Prometheus' scrape. */
// Probes, the scrape, the room monitor's page and its calls (app/monitorApi.ts), and the web
// clients' pages and files (app/webApp.ts).
const NOT_API = new Set([
  'GET /', 'GET /ops', 'GET /ops/', 'GET /draw/:drawId', 'GET /assets/:file', 'GET /favicon.svg',
  'GET /healthz', 'GET /metrics', 'GET /monitor', 'GET /monitor/', 'GET /monitor/assets/:file', 'GET /monitor/api', 'GET /monitor/api/room', 'GET /monitor/api/room/call']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let ts: TestServer;
let doc: any;
t.before(async () => {
  ts = await startTestServer();
  const res = await http(ts.httpUrl, 'GET', '/api/openapi.json');
  t.equal(res.status, 200);
  doc = res.body;
});
t.teardown(() => ts?.close());

/** Every operation in the document, as "METHOD /pattern" with uWS's `:param`. */
function documented(): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      out.push(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    }
  }
  return out.sort();
}

t.test('every served route is in the document and every documented route is served', async (t) => {
  const served = ts.server.httpRoutes.map((r) => `${r.method} ${r.pattern}`);
  t.ok(served.includes('GET /api/openapi.json'), 'the document is served');
  for (const route of NOT_API) t.ok(served.includes(route), `${route} is served`);
  t.same(documented(), served.filter((r) => !NOT_API.has(r)).sort());
});

t.test('the document is OpenAPI 3.1 with a response for every operation and every $ref resolving', async (t) => {
  t.equal(doc.openapi, '3.1.0');
  t.type(doc.info?.title, 'string');
  t.type(doc.info?.version, 'string');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    t.match(path, /^\//, `${path} starts with /`);
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${path}`;
      t.ok(Object.keys(op.responses ?? {}).length > 0, `${where} has responses`);
      for (const [status, response] of Object.entries<any>(op.responses)) {
        t.match(status, /^[1-5]\d\d$/, `${where} ${status} is a status`);
        t.type(response.description, 'string', `${where} ${status} is described`);
      }
      t.notOk(operationIds.has(op.operationId), `${where}: operationId ${op.operationId} is unique`);
      operationIds.add(op.operationId);
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      t.same(declared, pathParams, `${where} declares each path parameter`);
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement)) t.ok(doc.components.securitySchemes[scheme], `${where}: scheme ${scheme} exists`);
      }
    }
  }
  const refs: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.push(x);
        else walk(x);
      }
    }
  };
  walk(doc);
  t.ok(refs.length > 0, 'error answers refer to the Error schema');
  for (const ref of new Set(refs)) {
    t.match(ref, /^#\//, `${ref} is local`);
    const target = ref.slice(2).split('/').reduce((o: any, key) => o?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    t.ok(target, `${ref} resolves`);
  }
  t.same(Object.keys(doc.components.schemas.Error.properties).sort(), ['code', 'message']);
});

t.test('what the document says a route needs is what the route enforces', async (t) => {
  const register = doc.paths['/api/auth/register'].post.requestBody;
  t.equal(register.required, true);
  const schema = register.content['application/json'].schema;
  t.same(schema.required.sort(), ['country', 'dateOfBirth', 'email', 'password']);
  t.equal(schema.additionalProperties, false, 'unknown fields are refused, and the document says so');
  const unknown = await http(ts.httpUrl, 'POST', '/api/auth/register', { email: 'a@b.cc', password: 'long enough pass', dateOfBirth: '1990-01-01', country: 'DE', admin: true });
  t.equal(unknown.status, 400);
  t.match(unknown.body.message, /unknown field "admin"/);
  const deposit = doc.paths['/api/wallet/deposits'].post;
  t.same(deposit.security, [{ session: [] }]);
  t.equal(deposit.requestBody.content['application/json'].schema.properties.amount.type, 'integer');
  t.same(doc.paths['/api/draws/{drawId}/tickets'].get.security, [{ operator: [] }]);
  const draws = doc.paths['/api/draws'].get.parameters;
  t.same(draws.map((p: any) => [p.name, p.in, p.required]), [['game', 'query', true], ['limit', 'query', false]]);
  const missing = await http(ts.httpUrl, 'GET', '/api/draws');
  t.equal(missing.status, 400);
  t.equal(missing.body.message, 'query parameter game is required');
  t.equal(doc.paths['/api/draws/{drawId}'].get.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
});
