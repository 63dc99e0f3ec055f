/**
 * The services' own log files, when the target writes them on this machine (`target().logDir`, every `*.log` in it;
 * capability `service-logs`). Scenarios search them for a value that must never be logged.
 *
 * Every file is read whole: the values searched for are unique to their scenario, so a line from before the
 * scenario cannot hold them, and reading from an offset remembered at the scenario's start would miss lines when a
 * service restarts and its log file starts over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { target } from './target';

export interface LogLine {
  file: string;
  /** 1-based */
  line: number;
  text: string;
}

export function serviceLogFiles(dir: string = target().logDir): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => path.join(dir, name));
}

function linesWhere(test: (text: string) => boolean, dir: string, limit = Infinity): LogLine[] {
  const found: LogLine[] = [];
  for (const file of serviceLogFiles(dir)) {
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated away meanwhile
      throw error;
    }
    const lines = content.split('\n');
    for (let i = 0; i < lines.length && found.length < limit; i += 1) {
      if (test(lines[i])) found.push({ file: path.relative(dir, file), line: i + 1, text: lines[i] });
    }
    if (found.length >= limit) break;
  }
  return found;
}

/** Lines of any service log that contain one of the texts. */
export function logLinesHolding(texts: readonly string[], dir: string = target().logDir): LogLine[] {
  const wanted = texts.filter((t) => t !== '');
  if (wanted.length === 0) throw new Error('logLinesHolding needs at least one non-empty text to look for');
  return linesWhere((line) => wanted.some((t) => line.includes(t)), dir);
}

/** The first line of any service log (files in name order) that matches the pattern, if there is one. */
export function firstLogLineMatching(pattern: RegExp, dir: string = target().logDir): LogLine | undefined {
  return linesWhere((line) => pattern.test(line), dir, 1)[0];
}

/**
 * A log line names the execution by its id (`"execution_id":42` in JSON logs, `execution_id=42` in key=value logs):
 * proof that the logs are being written and have got as far as that run.
 */
export function executionIdPattern(id: number): RegExp {
  return new RegExp(`execution_id\\W{1,3}${id}(?!\\d)`);
}

/** A log line to show in a failure message, with every form of the hidden texts masked. */
export function maskedLine(line: LogLine, hidden: readonly string[], mask = '«the secret»'): string {
  let text = line.text;
  for (const h of hidden) if (h) text = text.split(h).join(mask);
  return `${line.file}:${line.line}: ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
}
