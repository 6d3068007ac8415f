/** Commands provided by the formatting modules, wired into runCommand by program name. */
import type { CommandHandler } from "./exec";

export const EXTRA_COMMANDS: Readonly<Record<string, CommandHandler>> = {};
