// web/player/pages/Play.tsx — placeholder: built by its owner.
export function PlayPage() {
  return <section class="card"><h1>Play</h1></section>;
}
