/** Playback: first, back, play/pause, forward, last, speed, a timeline to scrub and the level of detail. */
import type { Level } from "../store/levels";
import { placeOf } from "../store/levels";

const LEVEL_NAMES: Record<Level, string> = { hops: "Hops", hooks: "Hooks", rules: "Rules" };
const btn = "rounded border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100 disabled:opacity-40";

export function Controls(props: {
  cursor: number;
  /** The steps shown at the current level (indices into the trace's steps). */
  visible: readonly number[];
  level: Level;
  playing: boolean;
  speed: number;
  onMove: (to: number) => void;
  /** One step of the level forward (1) or back (-1). */
  onStep: (delta: number) => void;
  onToggle: () => void;
  onSpeed: (s: number) => void;
  onLevel: (level: Level) => void;
  onFit: () => void;
  /** Opens the keyboard help (also on `?`); no button without it. */
  onHelp?: () => void;
}) {
  const { cursor, visible, level, playing, speed, onMove, onStep, onToggle, onSpeed, onLevel, onFit, onHelp } = props;
  const count = visible.length;
  const place = placeOf(visible, cursor);
  const last = Math.max(0, count - 1);
  const atStart = count === 0 || cursor <= visible[0]!;
  const atEnd = count === 0 || cursor >= visible[last]!;
  return (
    <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Playback">
      <button type="button" className={btn} onClick={() => onMove(visible[0] ?? 0)} disabled={atStart} aria-label="First step (Home)" data-testid="first">
        |◀
      </button>
      <button type="button" className={btn} onClick={() => onStep(-1)} disabled={atStart} aria-label="Previous step (Left arrow)" data-testid="back">
        ◀
      </button>
      <button type="button" className={`${btn} w-20`} onClick={onToggle} aria-label={playing ? "Pause (Space)" : "Play (Space)"} data-testid="play">
        {playing ? "Pause" : "Play"}
      </button>
      <button type="button" className={btn} onClick={() => onStep(1)} disabled={atEnd} aria-label="Next step (Right arrow)" data-testid="forward">
        ▶
      </button>
      <button type="button" className={btn} onClick={() => onMove(visible[last] ?? 0)} disabled={atEnd} aria-label="Last step (End)" data-testid="last">
        ▶|
      </button>
      <label className="ml-2 flex flex-1 items-center gap-2 text-sm">
        <span className="sr-only">Timeline</span>
        <input
          type="range"
          min={0}
          max={last}
          value={place}
          onChange={(e) => onMove(visible[Number(e.target.value)] ?? 0)}
          className="min-w-40 flex-1"
          aria-label="Timeline"
          aria-valuetext={`step ${place + 1} of ${count}`}
          data-testid="timeline"
        />
        <span className="w-24 text-right font-mono text-xs" data-testid="position">
          {count ? place + 1 : 0} / {count}
        </span>
      </label>
      <label className="flex items-center gap-1 text-sm" title="Level of detail: hops (one step per place), hooks (one per netfilter hook), rules (every rule). Keys 1, 2, 3; L cycles.">
        Level
        <select aria-label="Level of detail" value={level} onChange={(e) => onLevel(e.target.value as Level)} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="level">
          {(Object.keys(LEVEL_NAMES) as Level[]).map((l) => (
            <option key={l} value={l}>
              {LEVEL_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1 text-sm">
        speed
        <select value={speed} onChange={(e) => onSpeed(Number(e.target.value))} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="speed">
          {[0.5, 1, 2, 4, 8].map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <button type="button" className={btn} onClick={onFit} data-testid="fit">
        Fit
      </button>
      {onHelp && (
        <button type="button" className={btn} onClick={onHelp} aria-haspopup="dialog" title="Keyboard shortcuts (?)">
          Keyboard shortcuts
        </button>
      )}
    </div>
  );
}
