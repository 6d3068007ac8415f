/** Playback: first, back, play/pause, forward, last, speed, a timeline to scrub and the level of detail. */
import type { Level } from "../store/levels";
import { placeOf } from "../store/levels";
import { useT } from "../i18n/use";
import { CONTROLS } from "./i18n/page";

const LEVELS: readonly Level[] = ["hops", "hooks", "rules"];
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
  /** One row in a small frame (an 800×450 embed): the lists keep their names but not their visible labels. */
  compact?: boolean;
}) {
  const { cursor, visible, level, playing, speed, onMove, onStep, onToggle, onSpeed, onLevel, onFit, onHelp, compact } = props;
  // A phone's narrow footer keeps the lists' names for screen readers and drops their visible labels, like a small embed.
  const label = compact ? "sr-only" : "max-md:sr-only";
  const t = useT(CONTROLS);
  const count = visible.length;
  const place = placeOf(visible, cursor);
  const last = Math.max(0, count - 1);
  const atStart = count === 0 || cursor <= visible[0]!;
  const atEnd = count === 0 || cursor >= visible[last]!;
  return (
    <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label={t.playback}>
      <button type="button" className={btn} onClick={() => onMove(visible[0] ?? 0)} disabled={atStart} aria-label={t.first} data-testid="first">
        |◀
      </button>
      <button type="button" className={btn} onClick={() => onStep(-1)} disabled={atStart} aria-label={t.back} data-testid="back">
        ◀
      </button>
      <button type="button" className={`${btn} ${compact ? "w-16" : "w-20"}`} onClick={onToggle} aria-label={playing ? t.pauseName : t.playName} data-testid="play">
        {playing ? t.pause : t.play}
      </button>
      <button type="button" className={btn} onClick={() => onStep(1)} disabled={atEnd} aria-label={t.forward} data-testid="forward">
        ▶
      </button>
      <button type="button" className={btn} onClick={() => onMove(visible[last] ?? 0)} disabled={atEnd} aria-label={t.last} data-testid="last">
        ▶|
      </button>
      {/* On a phone the buttons and Fit take the first row, the timeline and the lists the second. */}
      <label className="ml-2 flex flex-1 items-center gap-2 text-sm max-md:order-1 max-md:ml-0">
        <span className="sr-only">{t.timeline}</span>
        <input
          type="range"
          min={0}
          max={last}
          value={place}
          onChange={(e) => onMove(visible[Number(e.target.value)] ?? 0)}
          className={`${compact ? "min-w-16" : "min-w-40 max-md:w-0 max-md:min-w-16"} flex-1`}
          aria-label={t.timeline}
          aria-valuetext={t.valueText({ n: place + 1, total: count })}
          data-testid="timeline"
        />
        <span className={`${compact ? "w-16" : "w-24 max-md:w-14"} text-right font-mono text-xs`} data-testid="position">
          {count ? place + 1 : 0} / {count}
        </span>
      </label>
      <label className="flex items-center gap-1 text-sm max-md:order-1" title={t.levelHelp}>
        <span className={label}>{t.level}</span>
        <select aria-label={t.levelName} value={level} onChange={(e) => onLevel(e.target.value as Level)} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="level">
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {t[l]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1 text-sm max-md:order-1">
        <span className={label}>{t.speed}</span>
        <select value={speed} onChange={(e) => onSpeed(Number(e.target.value))} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="speed">
          {[0.5, 1, 2, 4, 8].map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <button type="button" className={btn} onClick={onFit} data-testid="fit">
        {t.fit}
      </button>
      {onHelp && (
        // No keyboard on most phones: the help is for wider screens (`?` still opens it).
        <button type="button" className={`${btn} max-md:hidden`} onClick={onHelp} aria-haspopup="dialog" title={t.shortcutsTitle}>
          {t.shortcuts}
        </button>
      )}
    </div>
  );
}
