// web/player/pages/Wallet.tsx — placeholder: built by its owner.
export function WalletPage() {
  return <section class="card"><h1>Wallet</h1></section>;
}
