import type { PublicJwk } from '@bridge/crypto';
import type { AuditEntry } from './entry.ts';

/**
 * The export format `bridge audit verify` reads: first the checkpoint the export is checked
 * against (with the origin's public log keys, to compare with the pinned JWKS), then co-signatures
 * of the origin's checkpoints by peers with a consistency proof to it, then the entries in leaf
 * order, each with its inclusion proof. Pure data: no database needed to read or check it.
 */
export interface CheckpointRecord {
  record: 'checkpoint';
  origin: string;
  checkpoint: string;
  treeSize: number;
  rootHash: string;
  /** True when the entries are the whole log up to `treeSize` (no filter). */
  complete: boolean;
  keys: PublicJwk[];
}

export interface CosignatureRecord {
  record: 'cosignature';
  witness: string;
  cosignature: string;
  treeSize: number;
  rootHash: string;
  keys: PublicJwk[];
  /** Consistency proof between the co-signed tree and the export's checkpoint (smaller to larger). */
  consistency: string[];
}

export interface EntryRecord {
  record: 'entry';
  leafIndex: number;
  /** The event id the sequencer gave this leaf. */
  eventId: number;
  /** The leaf hash the sequencer stored. */
  leafHash: string;
  /** The event as stored now; null when its row is gone. */
  event: AuditEntry | null;
  proof: string[];
}

export type ExportRecord = CheckpointRecord | CosignatureRecord | EntryRecord;

export const toNdjson = (record: ExportRecord): string => `${JSON.stringify(record)}\n`;

const CSV_COLUMNS = ['record', 'leaf_index', 'event_id', 'leaf_hash', 'idx', 'at', 'type', 'actor', 'peer_node_id', 'referral_id', 'message_id', 'digest', 'detail', 'proof'] as const;
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** null is an empty unquoted field; every string is quoted, so "" and null stay apart. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return `"${value.replaceAll('"', '""')}"`;
}

export function toCsvRow(record: ExportRecord): string {
  let fields: Array<string | number | null>;
  if (record.record === 'entry') {
    const e = record.event;
    fields = [
      'entry', record.leafIndex, record.eventId, record.leafHash,
      e?.idx ?? null, e?.at ?? null, e?.type ?? null, e?.actor ?? null, e?.peerNodeId ?? null, e?.referralId ?? null, e?.messageId ?? null, e?.digest ?? null,
      e?.detail == null ? null : JSON.stringify(e.detail),
      record.proof.join(' '),
    ];
  } else {
    fields = [record.record, null, null, null, null, null, null, null, null, null, null, null, JSON.stringify(record), null];
  }
  return `${fields.map(csvField).join(',')}\n`;
}

export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
}

/** Reads an NDJSON or CSV export (told apart by its first line). */
export function parseExport(text: string): ExportRecord[] {
  return text.startsWith(CSV_HEADER.trimEnd()) ? parseCsv(text) : parseNdjson(text);
}

function parseNdjson(text: string): ExportRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as ExportRecord;
      } catch {
        throw new ExportFormatError(`line ${i + 1} is not JSON`);
      }
    });
}

interface CsvCell {
  value: string;
  quoted: boolean;
}

function csvRows(text: string): CsvCell[][] {
  const rows: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let i = 0;
  while (i < text.length) {
    let cell: CsvCell;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ExportFormatError('unterminated quoted CSV field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      cell = { value, quoted: true };
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
      cell = { value: text.slice(i, end), quoted: false };
      i = end;
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      if (text[i] === '\n') i++;
    }
  }
  return rows;
}

function parseCsv(text: string): ExportRecord[] {
  const [, ...rows] = csvRows(text);
  return rows.map((cells, n) => {
    const get = (name: (typeof CSV_COLUMNS)[number]): string | null => {
      const cell = cells[CSV_COLUMNS.indexOf(name)];
      return cell === undefined || (!cell.quoted && cell.value === '') ? null : cell.value;
    };
    const num = (name: (typeof CSV_COLUMNS)[number]): number | null => {
      const v = get(name);
      return v === null ? null : Number(v);
    };
    try {
      const kind = get('record');
      if (kind !== 'entry') return JSON.parse(get('detail') ?? 'null') as ExportRecord;
      const idx = num('idx');
      const detail = get('detail');
      const proof = get('proof');
      return {
        record: 'entry',
        leafIndex: num('leaf_index')!,
        eventId: num('event_id')!,
        leafHash: get('leaf_hash') ?? '',
        event:
          idx === null
            ? null
            : {
                idx,
                at: get('at') ?? '',
                type: get('type') ?? '',
                actor: get('actor') ?? '',
                peerNodeId: get('peer_node_id'),
                referralId: get('referral_id'),
                messageId: get('message_id'),
                digest: get('digest'),
                detail: detail === null ? null : (JSON.parse(detail) as AuditEntry['detail']),
              },
        proof: proof ? proof.split(' ') : [],
      };
    } catch {
      throw new ExportFormatError(`CSV row ${n + 2} cannot be read`);
    }
  });
}
