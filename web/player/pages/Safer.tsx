// web/player/pages/Safer.tsx — placeholder: built by its owner.
export function SaferPage() {
  return <section class="card"><h1>Safer</h1></section>;
}
