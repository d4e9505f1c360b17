// app/receiptSigner.ts — the bet writer's receipt signer: draw/'s receipt format, signed and
// hashed through OpenSSL (app/nativeCrypto.ts), with the draw signing key it was built from;
// and the receipts the ticket history re-issues.
import type { ReceiptSigner } from '../actors/BetWriter.ts';
import type { TicketRecord } from '../draw/encoding.ts';
import { signReceipts, type TicketReceipt } from '../draw/receipt.ts';
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

  /**
   * A ticket's receipt as a batch of its own (size 1, empty path, root = its leaf), for the
   * ticket history. The ledger does not record which tickets shared a signed batch at
   * purchase, so the purchase receipt cannot be rebuilt unless it was a batch of one; this
   * one binds the operator to the same ticket encoding under the same key and verifies the
   * same way. Ed25519 is deterministic (RFC 8032): the same ticket always gets the same
   * bytes, and a ticket that was alone in its purchase batch gets exactly its purchase
   * receipt (test/ticket-history.test.ts compares them).
   */
  reissue(ticket: TicketRecord): TicketReceipt {
    return signReceipts([ticket], this.signingKey, (message) => this.signMessage(message))[0];
  }
}
