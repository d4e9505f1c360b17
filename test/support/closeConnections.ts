// test/support/closeConnections.ts — loaded into every test process (.taprc node-arg).
//
// Node's fetch keeps each connection open for four seconds after its last response
// (undici's keep-alive), and the server's uWebSockets loop keeps the process alive while
// that connection is open. A test file whose server had long shut down therefore waited
// ~4 s before its process could exit: four minutes of a full suite spent idle. Every
// request a test (or the Colyseus client's matchmaking) sends asks for `connection:
// close` instead, unless it says otherwise. Servers are not affected: they never fetch.
const keepAliveFetch = globalThis.fetch;

globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  if (!headers.has('connection')) headers.set('connection', 'close');
  return keepAliveFetch(input, { ...init, headers });
};
