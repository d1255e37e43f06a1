import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine, LogWriter, parseLogLine, renderLogs } from './container-logs.ts';

const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s));
const content = [
  formatLogLine(t(0), 'stdout', 'one'),
  formatLogLine(t(10), 'stderr', 'two'),
  formatLogLine(t(20), 'stdout', 'three with  spaces'),
  formatLogLine(t(30), 'stdout', ''),
].join('');

describe('log lines', () => {
  it('round-trip time, stream and text (spaces kept)', () => {
    expect(parseLogLine(formatLogLine(t(5), 'stderr', 'a  b ').slice(0, -1))).toEqual({ time: t(5), stream: 'stderr', text: 'a  b ' });
  });
  it('rejects lines that are not ours', () => {
    expect(parseLogLine('hello world')).toBeUndefined();
    expect(parseLogLine('2026-11-26T12:00:00.000Z stdin x')).toBeUndefined();
  });
});

describe('renderLogs', () => {
  it('returns the text of every line', () => {
    expect(renderLogs(content, {})).toBe('one\ntwo\nthree with  spaces\n\n');
  });
  it('tailLines, sinceTime, timestamps, limitBytes', () => {
    expect(renderLogs(content, { tailLines: 2 })).toBe('three with  spaces\n\n');
    expect(renderLogs(content, { tailLines: 0 })).toBe('');
    expect(renderLogs(content, { sinceTime: t(10) })).toBe('two\nthree with  spaces\n\n');
    expect(renderLogs(content, { tailLines: 1, timestamps: true })).toBe('2026-11-26T12:00:30.000Z \n');
    expect(renderLogs(content, { limitBytes: 6 })).toBe('one\ntw');
  });
});

describe('LogWriter', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('splits chunks into lines per stream and flushes an unterminated line on close', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vc-logs-'));
    const file = path.join(dir, 'c.log');
    const w = new LogWriter(file);
    w.write('stdout', 'hel');
    w.write('stderr', 'oops\n');
    w.write('stdout', 'lo\nwor');
    w.write('stdout', Buffer.from('ld\nlast'));
    await w.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => parseLogLine(l)!);
    expect(lines.map((l) => [l.stream, l.text])).toEqual([['stderr', 'oops'], ['stdout', 'hello'], ['stdout', 'world'], ['stdout', 'last']]);
  });
});
