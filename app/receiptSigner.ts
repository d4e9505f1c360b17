// app/receiptSigner.ts — the bet writer's receipt signer: draw/'s receipt format, signed and
// hashed through OpenSSL (app/nativeCrypto.ts), with the draw signing key it was built from.
import type { ReceiptSigner } from '../actors/BetWriter.ts';
import type { TicketRecord } from '../draw/encoding.ts';
import { signWireReceipts, type WireReceipt } from '../draw/receiptWire.ts';
import { nativeSha256, nativeSigner } from './nativeCrypto.ts';

export class NativeReceiptSigner implements ReceiptSigner {
  private readonly signMessage: (message: Uint8Array) => Uint8Array;

  constructor(private readonly signingKey: Uint8Array) {
    this.signMessage = nativeSigner(signingKey);
  }

  sign(tickets: TicketRecord[]): WireReceipt[] {
    return signWireReceipts(tickets, this.signingKey, (message) => this.signMessage(message), nativeSha256);
  }
}
