/** The trace told in Russian: every sentence of narrate.ts's English, in the same order. */
import type { Narration } from "./narrate";

/** Being written: until it is, a Russian reader gets the English narration. */
export const NARRATION_RU: Narration | undefined = undefined;
