/** PEM ⇄ DER for certificates, CRLs and keys. */

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

export function decodePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new Error(`invalid base64 in PEM block ${m[1]}`);
    out.push({ label: m[1]!, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Accepts PEM text (any number of blocks with `label`) or raw DER bytes. */
export function derBlocks(input: string | Uint8Array, label: string): Uint8Array[] {
  if (typeof input !== 'string') {
    const asText = Buffer.from(input).toString('latin1');
    if (!asText.includes('-----BEGIN')) return [new Uint8Array(input)];
    input = asText;
  }
  return decodePem(input).filter((b) => b.label === label).map((b) => b.der);
}
