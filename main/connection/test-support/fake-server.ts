import net from 'node:net';

/**
 * Fake "servers" on loopback for the connect-bound tests: each decides what to say to a client,
 * and counts the sockets still open (a failed connect must leave none behind).
 */
export interface FakeServer {
  port: number;
  open(): number;
  accepted(): number;
  close(): Promise<void>;
}

export type Behaviour = (socket: net.Socket) => void;

export async function fakeServer(behaviour: Behaviour): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    behaviour(socket);
    // Read whatever the client sends (a paused socket would never see the client's FIN).
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const SSL_REQUEST_CODE = 80877103;

/** Reads start-up packets (length-prefixed, no type byte): answers SSLRequest with 'N', then `after`. */
export function answerSslWithN(after: (socket: net.Socket) => void): Behaviour {
  return (socket) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readUInt32BE(0);
        if (buffered.length < length) return;
        const code = buffered.readUInt32BE(4);
        buffered = buffered.subarray(length);
        if (code === SSL_REQUEST_CODE) {
          socket.write('N');
        } else {
          socket.off('data', onData);
          after(socket);
          return;
        }
      }
    };
    socket.on('data', onData);
  };
}

/** A backend message: type byte, int32 length (itself included), body. */
export function message(type: string, body: Buffer = Buffer.alloc(0), length = body.length + 4): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(length, 1);
  return Buffer.concat([header, body]);
}

/** AuthenticationOk then ReadyForQuery: start-up done, no password asked. */
export function startupDone(): Buffer {
  return Buffer.concat([message('R', Buffer.from([0, 0, 0, 0])), message('Z', Buffer.from('I'))]);
}
