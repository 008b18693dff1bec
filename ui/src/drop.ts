// Where files dropped on the window go: the window's drop event gives the pointer in
// physical pixels; panels know their place in CSS pixels.

export type Rect = { left: number; right: number; top: number; bottom: number };

/** The party whose panel lies under the drop; with a single panel, that one. */
export function partyAt(panels: { party: number; rect: Rect | null }[], x: number, y: number, scale: number): number | null {
  const [cx, cy] = [x / (scale || 1), y / (scale || 1)];
  for (const p of panels) {
    const r = p.rect;
    if (r && cx >= r.left && cx <= r.right && cy >= r.top && cy <= r.bottom) return p.party;
  }
  return panels.length === 1 ? panels[0].party : null;
}
