// app/monitorApi.ts — the room monitor (@colyseus/monitor) behind operator authentication.
//
// The monitor's own endpoints are called from our routes, after our access check: every room
// of the cluster (matchMaker.query reads the shared listing), one room's clients and state
// (a remote call of its read-only getInspectData), and its single-page app. Its remote room
// calls (GET /monitor/api/room/call, which runs any method of any room: disconnecting
// players, sending them messages) are off for everyone (COLYSEUS-NOTES.md, trap 6).
// The page's own fetches carry no Authorization header, so an operator opens it through
// POST /api/operator/monitor-session, which sets their session token as an HttpOnly,
// SameSite=Strict cookie scoped to /monitor; a revoked session ends it as it ends the rest.
import { monitor } from '@colyseus/monitor';
import { z } from 'zod';
import { AppError, ErrorCode } from '../core/errors.ts';
import { OPERATOR_SESSION_TTL_MS } from '../core/limits.ts';
import { accessCheck, MONITOR_COOKIE, type AccessDeps } from './access.ts';
import { bearerToken, type HttpResponse, type HttpRoutes } from './http.ts';
import { route, type RouteSpec } from './routeSpec.ts';

type MonitorEndpoint = (ctx: { query?: Record<string, string>; params?: Record<string, string> }) => Promise<unknown>;

/** Roles that may look at the rooms; none may act on them. */
const WATCHERS = ['admin', 'support'] as const;
const FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function registerMonitorApi(routes: HttpRoutes, deps: AccessDeps): void {
  const access = accessCheck(deps);
  const endpoints = monitor({ prefix: '/monitor' }) as unknown as Record<string, MonitorEndpoint>;
  const call = async (key: string, ctx: Parameters<MonitorEndpoint>[0] = {}): Promise<HttpResponse> => answer(await endpoints[key](ctx));
  for (const spec of [...monitorViews(call), roomCallsOff(), monitorSession()]) routes.define(spec, access);
}

type CallMonitor = (key: string, ctx?: Parameters<MonitorEndpoint>[0]) => Promise<HttpResponse>;

/** A read-only monitor route: operator access (header or the monitor cookie), left out of the API document. */
const view = <P extends z.ZodType | undefined, Q extends z.ZodType | undefined>(spec: {
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  handle: RouteSpec<P, Q, undefined>['handle'];
}) => route({ method: 'GET', security: 'operator', roles: WATCHERS, operatorCookie: true, internal: true, responses: { 200: spec.summary }, ...spec });

/** The page, its files, the room list and one room's inspection: what the monitor shows. */
function monitorViews(call: CallMonitor) {
  const page = (path: string) => view({ path, summary: 'The room monitor: every room of the cluster, its clients and state (read only)', handle: () => call('monitor-index') });
  return [
    page('/monitor'),
    page('/monitor/'),
    view({
      path: '/monitor/assets/:file',
      summary: "The monitor page's scripts and styles",
      params: z.strictObject({ file: z.string().regex(FILE_PATTERN, 'is not a file name') }),
      handle: ({ params }) => call('monitor-static', { params: { splat: `assets/${params.file}` } }),
    }),
    view({ path: '/monitor/api', summary: "Every room of the cluster, with the connections and this process's memory and CPU", handle: () => call('monitor-api-rooms') }),
    view({
      path: '/monitor/api/room',
      summary: 'One room: its clients and its state',
      query: z.object({ roomId: z.string().regex(ROOM_ID_PATTERN, 'is not a room id') }),
      handle: ({ query }) => call('monitor-api-room', { query: { roomId: query.roomId } }),
    }),
  ];
}

/** The monitor's remote room calls run any method of any room: off, for every role. */
const roomCallsOff = () =>
  view({
    path: '/monitor/api/room/call',
    summary: 'Remote room calls: off (403 FORBIDDEN)',
    handle: () => {
      throw new AppError(ErrorCode.FORBIDDEN, 'remote room calls are off: the monitor is read only (COLYSEUS-NOTES.md)', 403);
    },
  });

const monitorSession = () =>
  route({
    method: 'POST',
    path: '/api/operator/monitor-session',
    summary: 'Open the room monitor in a browser: sets this operator session as a cookie for /monitor only',
    security: 'operator',
    roles: WATCHERS,
    responses: { 200: 'The cookie is set: open /monitor/' },
    handle: ({ req }) => ({
      status: 200,
      body: { monitor: '/monitor/' },
      headers: {
        'set-cookie': `${MONITOR_COOKIE}=${bearerToken(req)}; Path=/monitor; Max-Age=${OPERATOR_SESSION_TTL_MS / 1000}; HttpOnly; SameSite=Strict`,
      },
    }),
  });

/** What a monitor endpoint returned (data, or a fetch Response) as our answer. */
async function answer(result: unknown): Promise<HttpResponse> {
  if (result instanceof Response) {
    if (result.status === 404) throw new AppError(ErrorCode.NOT_FOUND, 'no such file', 404);
    if (result.status >= 500) {
      // The monitor answers 500 for a room that is gone: that is a 404 here.
      throw new AppError(ErrorCode.NOT_FOUND, 'no such room (any more)', 404);
    }
    if (result.status !== 200) throw new AppError(ErrorCode.FORBIDDEN, 'refused', 403);
    return { status: 200, raw: { contentType: result.headers.get('content-type') ?? 'application/octet-stream', text: await result.text() } };
  }
  return { status: 200, body: result };
}
