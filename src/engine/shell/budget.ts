/**
 * What one shell line may cost: the commands it runs, the packets it traces, the steps those add
 * to the trace, the text it prints and the time it takes; and how many steps a whole session's
 * trace may hold. A line that reaches a limit stops there and says so in plain words, so that no
 * line, typed or replayed from a link, can freeze a tab, exhaust memory or flood a terminal.
 *
 * Time is a parameter here, as everywhere in the engine: the caller passes a clock (the worker
 * and the CLI pass performance.now); without one there is no time limit.
 */
import { MAX_TRACE_STEPS, type Flow } from "../trace";

export interface LineLimits {
  /** Commands one line may run (every stage of every pipeline). */
  readonly commands: number;
  /** Flows (one packet each) one line may trace. */
  readonly flows: number;
  /** Steps those flows may add to the trace. */
  readonly steps: number;
  /** Characters one line may print, stdout and stderr together. */
  readonly output: number;
  /** Milliseconds one line may take, checked between commands and between packets. */
  readonly timeMs: number;
}

export const LINE_LIMITS: LineLimits = {
  commands: 64,
  // ping -c 100 (the most ping sends here) is 200 flows of about 3,300 steps.
  flows: 250,
  steps: 10_000,
  // iptables-save of a 250,000-rule node is about 40 million characters.
  output: 64 * 1024 * 1024,
  timeMs: 10_000,
};

export { MAX_TRACE_STEPS };

export const stepsOf = (flows: readonly Flow[]): number => flows.reduce((n, f) => n + f.steps.length, 0);

const fmt = (n: number) => n.toLocaleString("en");

export class LineBudget {
  private flows = 0;
  private steps = 0;
  private printed = 0;
  private readonly start: number;
  /** Why the line stopped early, once it has: one plain sentence. */
  exhausted: string | undefined;

  constructor(
    private readonly limits: LineLimits,
    /** Steps the session's trace held before this line. */
    private readonly sessionSteps: number,
    private readonly clock?: () => number,
  ) {
    this.start = clock?.() ?? 0;
  }

  private stop(why: string): false {
    this.exhausted ??= why;
    return false;
  }

  /** Whether the line may go on (run its next command): false once any limit is reached. */
  mayContinue(): boolean {
    if (this.exhausted) return false;
    if (this.clock && this.clock() - this.start > this.limits.timeMs) return this.stop(`this line ran for more than ${this.limits.timeMs / 1000} s, the most a line may take`);
    return true;
  }

  /** Whether the line may send another packet exchange. */
  mayTrace(): boolean {
    if (!this.mayContinue()) return false;
    if (this.flows >= this.limits.flows) return this.stop(`this line traced ${fmt(this.flows)} packets, the most a line may trace`);
    if (this.steps >= this.limits.steps) return this.stop(`this line added ${fmt(this.steps)} steps to the trace, the most a line may add`);
    if (this.sessionSteps + this.steps >= MAX_TRACE_STEPS) return this.stop(`the session's trace holds ${fmt(this.sessionSteps + this.steps)} steps, the most it may hold; reload the scenario to start afresh`);
    return true;
  }

  /** A flow the line traced. */
  traced(flow: Flow): void {
    this.flows++;
    this.steps += flow.steps.length;
  }

  /** Text the line printed; false (and the line stops) past the output limit. */
  print(chars: number): boolean {
    this.printed += chars;
    if (this.printed > this.limits.output) return this.stop(`this line printed more than ${fmt(this.limits.output / 1048576)} MB, the most a line may print`);
    return true;
  }

  /** How many more characters the line may print. */
  get outputLeft(): number {
    return Math.max(0, this.limits.output - this.printed);
  }

  /** The sentence a terminal shows when the line stopped early. */
  get notice(): string | undefined {
    return this.exhausted && `[hopscope: stopped: ${this.exhausted}]\n`;
  }
}
