// What the kiosk page loads to verify wallet presentations offline (clients/kiosk/card-modules.ts):
// the SD-JWT core served like the card library (its closure, stripped, nothing outside
// src/wallet/sd-jwt and src/core/errors|reasons, never the issuer's Node modules), and the QR encoder
// wrapped as one ES module that draws a request with no server.
import { buildCardModules, qrEncoderModule } from '../../clients/kiosk/card-modules.ts';

describe("the kiosk page's wallet modules", () => {
  test('the SD-JWT core and only it, stripped of types, relative imports only', () => {
    const names = [...buildCardModules().keys()];
    const wallet = names.filter((n) => n.startsWith('wallet/'));
    expect(wallet).toEqual(expect.arrayContaining(['wallet/sd-jwt/index.ts', 'wallet/sd-jwt/verifier.ts', 'wallet/sd-jwt/status-list.ts']));
    expect(wallet.filter((n) => !n.startsWith('wallet/sd-jwt/'))).toEqual([]);
    // The issuer's modules (Node: keys, tables, jose) cannot be reached from the page.
    expect(() => buildCardModules(['wallet/issuance.ts'])).toThrow(/may not load wallet\/issuance\.ts/);
  });

  test('the QR encoder runs without Node and encodes a request the way the qrcode package does', async () => {
    const { body } = qrEncoderModule();
    expect(body).not.toMatch(/require\(['"](?:fs|path|stream|buffer)['"]\)/);
    const encoder = (await import(`data:text/javascript;base64,${Buffer.from(body).toString('base64')}`)) as { create(text: string, options: object): { modules: { size: number; get(r: number, c: number): number } } };
    const text = 'https://pass.example.jp/app/wallet/present?client_id=pass-kiosk%3A1&nonce=abc';
    const ours = encoder.create(text, { errorCorrectionLevel: 'M' }).modules;
    const { create } = (await import('qrcode')).default as unknown as { create(text: string, options: object): { modules: { size: number; get(r: number, c: number): number } } };
    const theirs = create(text, { errorCorrectionLevel: 'M' }).modules;
    expect(ours.size).toBe(theirs.size);
    for (let r = 0; r < ours.size; r += 1) for (let c = 0; c < ours.size; c += 1) expect(ours.get(r, c)).toBe(theirs.get(r, c));
  });
});
