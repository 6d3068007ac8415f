/**
 * The shell's part of the engine, loaded by the worker on the first shell request (a chunk of
 * its own), so opening the app does not download it.
 */
export { resolveTarget } from "../engine/shell/exec";
export { runLine } from "../engine/shell/session";
export { complete } from "../engine/shell/complete";
