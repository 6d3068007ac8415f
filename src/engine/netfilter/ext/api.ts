/**
 * The contract between a netfilter extension (ext/<module>.ts) and the shared machinery that
 * calls it: parse.ts hands a module its options, walk.ts asks it whether a packet matches (or,
 * for a target, what happens next), format.ts asks for its iptables-save text and
 * shell/iptables-list.ts for its `iptables -L` text.
 */
import type { Packet } from "../../packet/packet";
import type { HookName, Match, TableName, Target } from "../types";
import type { ChainVerdict, MatchContext, MatchedRule } from "../walk";

/** A parse error at a column of the line being parsed; parseIptablesSave adds the line number. */
export class Fail extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** One option as given: its words, whether a "!" came before it, and where it starts. */
export interface Opt {
  readonly value: string[];
  readonly invert: boolean;
  readonly column: number;
}

/** A rule's few options for one module: a small list beats a Map when there are 300,000 of them. */
export class Opts {
  private readonly keys: string[] = [];
  private readonly vals: Opt[] = [];
  get(k: string): Opt | undefined {
    const i = this.keys.indexOf(k);
    return i < 0 ? undefined : this.vals[i];
  }
  has(k: string): boolean {
    return this.keys.includes(k);
  }
  set(k: string, v: Opt): void {
    this.keys.push(k);
    this.vals.push(v);
  }
  get size(): number {
    return this.keys.length;
  }
  *[Symbol.iterator](): IterableIterator<[string, Opt]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.vals[i]!];
  }
}

/** One `-m NAME` of a rule (or the match `-p tcp --dport` loads by itself), with its options. */
export interface MatchDraft {
  readonly module: MatchModule;
  readonly name: string;
  /** Where the module's name is (for an implicit match, its first option). */
  readonly column: number;
  /** Keyed by the option's name after the module's aliases. */
  readonly opts: Opts;
}

/** The `-j NAME` or `-g CHAIN` of a rule, with its options. */
export interface TargetDraft {
  readonly name: string;
  readonly column: number;
  readonly goto: boolean;
  /** The module NAME names, or undefined when NAME can only be a chain. */
  readonly module: TargetModule | undefined;
  readonly opts: Opts;
}

/** What of the rule a module's parser may depend on. */
export interface RuleHead {
  /** Protocol number of -p; 0 means any. */
  readonly proto: number;
  readonly protoInvert: boolean;
  readonly table: TableName;
}

export type ServiceTable = Readonly<Record<"tcp" | "udp", Readonly<Record<number, string>>>>;

/** What `iptables -L` text depends on: `-n`, and the services to name ports by without it. */
export interface ListOptions {
  readonly numeric: boolean;
  readonly services: ServiceTable;
}

/**
 * A match extension. Its value is plain data (a member of the Match union, whose `kind` is the
 * module's name in the registry); the methods get that value back.
 */
export interface MatchModule<M extends Match = Match> {
  /** Its options, without the leading "--", and how many words each takes. */
  readonly options: Readonly<Record<string, number>>;
  /** Other spellings of its options, mapped to the name its parser reads them by. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The protocol number whose `-p` loads this module by itself when one of its options follows. */
  readonly implicitFor?: number;
  /** The options given (already checked to be the module's, each at most once) → the value; throws Fail. */
  parse(m: MatchDraft, rule: RuleHead): M;
  /** Whether the packet matches, the "!" of its options applied. */
  match(m: M, p: Packet, ctx: MatchContext): boolean;
  /** Its text in an iptables-save rule, from `-m`, with a leading space. */
  save(m: M): string;
  /** Its text at the end of an `iptables -L` row, with a leading space; `proto` is the rule's -p. */
  list(m: M, proto: number, f: ListOptions): string;
}

/**
 * What the walk does after a rule's target: end with a verdict, go on to the next rule, return
 * from the chain, or enter another chain (a jump pushes a return point, a goto does not).
 */
export type Flow =
  | ChainVerdict
  | { readonly kind: "continue" }
  | { readonly kind: "return" }
  | { readonly kind: "jump" | "goto"; readonly chain: string };

export const CONTINUE: Flow = Object.freeze({ kind: "continue" });
export const RETURN: Flow = Object.freeze({ kind: "return" });

/** A target extension; as for matches, its value is a member of the Target union. */
export interface TargetModule<T extends Target = Target> {
  /** Whether `-j KIND` names it; false for jumps and gotos to user chains and a rule without -j. */
  readonly named: boolean;
  /** Its options, without the leading "--", and how many words each takes. */
  readonly options: Readonly<Record<string, number>>;
  /** The only tables it is valid in (iptables refuses it elsewhere); any when absent. */
  readonly tables?: readonly TableName[];
  /** The only hooks it may be reached from (the kernel's checkentry, at COMMIT); any when absent. */
  readonly hooks?: readonly HookName[];
  /** The options given (none of them negated) → the value; throws Fail. */
  parse(t: TargetDraft, rule: RuleHead): T;
  /** What the walk does when a rule with this target matches; `by` is that rule. */
  apply(t: T, ctx: MatchContext, by: MatchedRule): Flow;
  /** Its text in an iptables-save rule, from `-j` (or `-g`), with a leading space. */
  save(t: T): string;
  /** Its text at the end of an `iptables -L` row, with a leading space (the standard targets have none). */
  list(t: T, numeric: boolean): string;
  /** The target column of `iptables -L`, when it is not the kind. */
  column?(t: T): string;
}
