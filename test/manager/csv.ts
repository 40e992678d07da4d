/** RFC 4180 records, read strictly: quoted fields, doubled quotes, CRLF only. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else if (c === '\n') throw new Error('a bare LF ends a record');
    else cell += c;
  }
  if (cell || row.length) throw new Error('the last record has no CRLF');
  return rows;
}

/** An export as Excel must get it: UTF-8 text/csv with a BOM, as an attachment named like `filename`. */
export async function readExcelCsv(response: Response, filename: RegExp): Promise<{ text: string; rows: string[][] }> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(response.headers.get('content-disposition')).toMatch(filename);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes).slice(1);
  return { text, rows: parseCsv(text) };
}
