/** What the chat benchmarks share: the sockets of the seeded rooms and the echo server. */
import { BENCH_JWT_SECRET } from './common';
import type { ChatClientSpec } from './chat-load';
import { freePort, ServerProcess, startScriptServer, Worker } from './processes';
import type { Fixture } from './seed';
import { accessToken } from './tokens';

/** Two sockets per seeded room (its traveller and its guide): 1,000 sockets in 500 rooms. */
export function roomSockets(fixture: Fixture): ChatClientSpec[] {
  return fixture.rooms.flatMap((room) => [
    { token: accessToken(room.travelerId, 'user'), userId: room.travelerId, roomId: room.roomId },
    {
      token: accessToken(room.guideUserId, 'guide'),
      userId: room.guideUserId,
      roomId: room.roomId,
    },
  ]);
}

export async function startEcho(): Promise<ServerProcess> {
  return startScriptServer('echo', 'baselines/chat-echo-server', await freePort(), {
    JWT_SECRET: BENCH_JWT_SECRET,
  });
}

/** A chat load worker with all `sockets` connected to `server` (and joined to their rooms). */
export async function connectedClients(
  server: ServerProcess,
  sockets: ChatClientSpec[],
  join = true,
): Promise<Worker> {
  const worker = Worker.start('lib/chat-load');
  try {
    await worker.call('connect', { url: server.url, sockets, join });
    return worker;
  } catch (error) {
    await worker.stop();
    throw error;
  }
}
