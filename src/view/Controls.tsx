/** Playback: first, back, play/pause, forward, last, speed and a timeline to scrub. */
const btn = "rounded border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100 disabled:opacity-40";

export function Controls(props: {
  cursor: number;
  count: number;
  playing: boolean;
  speed: number;
  onMove: (to: number) => void;
  onToggle: () => void;
  onSpeed: (s: number) => void;
  onFit: () => void;
  /** Opens the keyboard help (also on `?`); no button without it. */
  onHelp?: () => void;
}) {
  const { cursor, count, playing, speed, onMove, onToggle, onSpeed, onFit, onHelp } = props;
  const last = Math.max(0, count - 1);
  return (
    <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Playback">
      <button type="button" className={btn} onClick={() => onMove(0)} disabled={cursor === 0} aria-label="First step (Home)" data-testid="first">
        |◀
      </button>
      <button type="button" className={btn} onClick={() => onMove(cursor - 1)} disabled={cursor === 0} aria-label="Previous step (Left arrow)" data-testid="back">
        ◀
      </button>
      <button type="button" className={`${btn} w-20`} onClick={onToggle} aria-label={playing ? "Pause (Space)" : "Play (Space)"} data-testid="play">
        {playing ? "Pause" : "Play"}
      </button>
      <button type="button" className={btn} onClick={() => onMove(cursor + 1)} disabled={cursor >= last} aria-label="Next step (Right arrow)" data-testid="forward">
        ▶
      </button>
      <button type="button" className={btn} onClick={() => onMove(last)} disabled={cursor >= last} aria-label="Last step (End)" data-testid="last">
        ▶|
      </button>
      <label className="ml-2 flex flex-1 items-center gap-2 text-sm">
        <span className="sr-only">Timeline</span>
        <input
          type="range"
          min={0}
          max={last}
          value={cursor}
          onChange={(e) => onMove(Number(e.target.value))}
          className="min-w-40 flex-1"
          aria-label="Timeline"
          aria-valuetext={`step ${cursor + 1} of ${count}`}
          data-testid="timeline"
        />
        <span className="w-24 text-right font-mono text-xs" data-testid="position">
          {count ? cursor + 1 : 0} / {count}
        </span>
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
