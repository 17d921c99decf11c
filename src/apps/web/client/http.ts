// GETs to our own server; an error answer's one line becomes the thrown message.

export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { credentials: "same-origin" });
  const text = await r.text();
  if (!r.ok) {
    let msg = text;
    try {
      msg = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: the text itself
    }
    throw new Error(msg.trim());
  }
  return JSON.parse(text) as T;
}

/** Load one of our own scripts (the flame and timeline viewers) once. */
const loaded = new Map<string, Promise<void>>();
export function loadScript(src: string): Promise<void> {
  let p = loaded.get(src);
  if (p === undefined) {
    p = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
    loaded.set(src, p);
  }
  return p;
}
