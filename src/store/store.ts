/**
 * One zustand store, built from slices: the scenario (what is loaded, restoring a URL's view,
 * the share link's parts), playback (steps, cursor, playing), the view (panels, embed options,
 * the notice), the shell (its lines, the replay log, its requests) and the quiz (its questions,
 * answers and score). The engine runs in its worker; the store only asks and keeps answers. The URL codec (src/share/codec.ts) is below the
 * store; the browser binding (src/share/browser.ts) is above it.
 */
import { create, type StoreApi, type UseBoundStore } from "zustand";
import { EngineClient, createEngineWorker, type EngineRequester } from "../worker/client";
import { editorSlice, type EditorSlice } from "./editor";
import { playbackSlice, type PlaybackSlice } from "./playback";
import { quizSlice, type QuizSlice } from "./quiz";
import { scenarioSlice, type ScenarioSlice } from "./scenario";
import { shellSlice, type ShellSlice } from "./shell";
import { viewSlice, type ViewSlice } from "./view";

export { flatten, type FlatStep } from "./playback";
export type { LoadOutcome, Source, Status } from "./scenario";
export type { ReplayEntry } from "./shell";
export type { EditOutcome, HistoryEntry } from "./editor";
export type { EmbedOptions, Panels } from "./view";
export type { Question, QuestionKind, QuizScore } from "./quiz";

export type HopscopeState = ScenarioSlice & PlaybackSlice & ViewSlice & ShellSlice & EditorSlice & QuizSlice;

export type HopscopeStore = UseBoundStore<StoreApi<HopscopeState>>;

/**
 * Makes the store's engine client on its first request, given what to call when the engine
 * fails and is replaced (the store then reloads its scenario).
 */
export type EngineFactory = (onRestart: (reason: string) => void) => EngineRequester;

/** The real engine: a Web Worker behind an EngineClient. */
export const workerEngine: EngineFactory = (onRestart) => new EngineClient(createEngineWorker, 15_000, onRestart);

/** A store whose engine client comes from `connect` (tests pass a fake). */
export function createHopscope(connect: EngineFactory): HopscopeStore {
  return create<HopscopeState>()((set, get, api) => {
    let client: EngineRequester | undefined;
    const engine: EngineRequester = {
      request(body) {
        client ??= connect((reason) => get().engineRestarted(reason));
        return client.request(body);
      },
    };
    return {
      ...scenarioSlice(engine)(set, get, api),
      ...playbackSlice(set, get, api),
      ...viewSlice(set, get, api),
      ...shellSlice(engine)(set, get, api),
      ...editorSlice(engine)(set, get, api),
      ...quizSlice(set, get, api),
    };
  });
}

export const useHopscope = createHopscope(workerEngine);

/** The page store's execLine: a shell line on the loaded scenario's node or pod. */
export const execLine = (target: string, line: string) => useHopscope.getState().execLine(target, line);

/** The page store's completeLine: Tab completion of a shell line's last word. */
export const completeLine = (target: string, line: string) => useHopscope.getState().completeLine(target, line);

/** The page store's pcapFile: the session's capture as a pcapng file. */
export const pcapFile = () => useHopscope.getState().pcapFile();
