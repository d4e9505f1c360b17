// web/player/pages/History.tsx — placeholder: built by its owner.
export function HistoryPage() {
  return <section class="card"><h1>History</h1></section>;
}
