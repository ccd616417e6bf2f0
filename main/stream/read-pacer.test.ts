import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BEHIND_CHUNK_BYTES, HOLD_MS, ReadPacer } from './read-pacer';

/** A socket whose libuv handle records stops and starts, as net.Socket's does. */
function fakeSocket() {
  const handle = {
    reading: true,
    readStop: vi.fn(() => 0),
    readStart: vi.fn(() => 0),
  };
  const socket = {
    _handle: handle as unknown,
    destroyed: false,
    pause: vi.fn(),
    resume: vi.fn(),
  };
  return { socket, handle };
}

const SMALL = 900;

describe('ReadPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops reading after a small chunk and reads again within 2 ms', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(SMALL);
    expect(handle.readStop).toHaveBeenCalledTimes(1);
    expect(pacer.holding).toBe(true);
    expect(HOLD_MS).toBeLessThanOrEqual(2);
    vi.advanceTimersByTime(2);
    expect(handle.readStart).toHaveBeenCalledTimes(1);
    expect(pacer.holding).toBe(false);
    // The stream-level state is never touched by a hold.
    expect(socket.pause).not.toHaveBeenCalled();
    expect(socket.resume).not.toHaveBeenCalled();
  });

  it('never stops reading after a large chunk (the reader is behind)', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(BEHIND_CHUNK_BYTES);
    pacer.afterChunk(64 * 1024);
    expect(handle.readStop).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds once at a time: small chunks during a hold add no second timer', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(SMALL);
    pacer.afterChunk(SMALL);
    expect(handle.readStop).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('keeps a sink pause: the hold timer does not restart reading until the sink resumes', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(SMALL);
    pacer.pauseForSink();
    expect(socket.pause).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(50);
    expect(handle.readStart).not.toHaveBeenCalled();
    expect(socket.resume).not.toHaveBeenCalled();
    pacer.resumeForSink();
    expect(handle.readStart).toHaveBeenCalledTimes(1);
    expect(socket.resume).toHaveBeenCalledTimes(1);
  });

  it('starts no hold while the sink has the socket paused', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.pauseForSink();
    pacer.afterChunk(SMALL);
    expect(handle.readStop).not.toHaveBeenCalled();
  });

  it('never holds a TLS socket (its chunks are at most 16 KiB however far behind it is)', () => {
    const { socket, handle } = fakeSocket();
    new ReadPacer({ ...socket, encrypted: true }).afterChunk(SMALL);
    expect(handle.readStop).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts no hold when net.Socket has already stopped the handle', () => {
    const { socket, handle } = fakeSocket();
    handle.reading = false;
    new ReadPacer(socket).afterChunk(SMALL);
    expect(handle.readStop).not.toHaveBeenCalled();
  });

  it('stop cancels the timer, reads again at once and holds no more', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(SMALL);
    pacer.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(handle.readStart).toHaveBeenCalledTimes(1);
    pacer.afterChunk(SMALL);
    vi.advanceTimersByTime(10);
    expect(handle.readStop).toHaveBeenCalledTimes(1);
    expect(handle.readStart).toHaveBeenCalledTimes(1);
  });

  it('does not restart the handle of a socket destroyed during a hold', () => {
    const { socket, handle } = fakeSocket();
    const pacer = new ReadPacer(socket);
    pacer.afterChunk(SMALL);
    socket.destroyed = true;
    vi.advanceTimersByTime(10);
    expect(handle.readStart).not.toHaveBeenCalled();
  });
});
