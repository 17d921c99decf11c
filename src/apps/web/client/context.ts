// What a view is handed: the server's inventory, the state, a way to change the state,
// and where to draw.

import type { Meta } from "./meta.js";
import type { State } from "./state.js";

export interface ViewContext {
  meta: Meta;
  state: State;
  /** change the state (a new history entry) and redraw */
  go(patch: Partial<State>): void;
  el: HTMLElement;
  /** one line above the view (filters that matched nothing, ...) */
  note(msg: string): void;
}
