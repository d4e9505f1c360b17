// web/player/pages/Account.tsx — placeholder: built by its owner.
export function AccountPage() {
  return <section class="card"><h1>Account</h1></section>;
}
